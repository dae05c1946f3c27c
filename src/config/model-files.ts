// Where the model files a config names live, apart from the config's schema so that the
// detector (in its worker thread) resolves them without loading zod: a worker importing the
// detector took 35.0 MB of resident memory with the schemas, 24.7 MB without.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, join, resolve } from 'node:path';
import type { LoadedConfig } from './load.js';

const require = createRequire(import.meta.url);

/** The agent package's own models/ folder (the models it ships, e.g. its helmet classifier). */
export const PACKAGE_MODELS_DIR = resolve(import.meta.dirname, '../../models');
const PACKAGE_PREFIX = 'package:';

/**
 * Where a model file named in the config lives: absolute paths as they are, `package:...` in the
 * agent's own models/ folder, `@scope/pkg/...` inside installed npm packages (the PP-OCR
 * models), anything else under the models directory.
 */
export function resolveModelPath(modelsDir: string, path: string): string {
  if (isAbsolute(path)) return path;
  if (path.startsWith(PACKAGE_PREFIX)) return join(PACKAGE_MODELS_DIR, path.slice(PACKAGE_PREFIX.length));
  if (path.startsWith('@')) {
    const [scope = '', name = '', ...rest] = path.split('/');
    // Packages may not export package.json: look for the folder where Node would.
    for (const dir of require.resolve.paths(`${scope}/${name}`) ?? []) {
      const root = join(dir, scope, name);
      if (existsSync(root)) return join(root, ...rest);
    }
    return join('node_modules', path);
  }
  return join(modelsDir, path);
}

/** Every model file the config refers to, with the config path that names it. */
export function modelFiles(loaded: LoadedConfig): Array<{ field: string; file: string }> {
  const m = loaded.config.models;
  const out: Array<{ field: string; path: string }> = [{ field: 'models.scene.path', path: m.scene.path }];
  if (m.helmet.type !== 'detector') out.push({ field: 'models.helmet.path', path: m.helmet.path });
  else out.push({ field: 'models.helmet.detector.path', path: m.helmet.detector.path });
  if (m.plate_locator.type === 'detector') out.push({ field: 'models.plate_locator.detector.path', path: m.plate_locator.detector.path });
  if (m.plate_locator.type === 'ppocr_det' || m.plate_locator.type === 'plate_detector') out.push({ field: 'models.plate_locator.path', path: m.plate_locator.path });
  out.push({ field: 'models.plate_reader.path', path: m.plate_reader.path });
  return out.map(({ field, path }) => ({ field, file: resolveModelPath(loaded.modelsDir, path) }));
}
