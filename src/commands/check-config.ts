import { ConfigError, loadConfig } from '../config/load.js';
import { probeCamera, probeCentral, probeModels, type ProbeResult } from '../config/probes.js';
import { describeError } from '../shared/errors.js';
import { EXIT } from '../shared/exit-codes.js';
import type { CommandIo } from './io.js';

export interface CheckConfigOptions {
  probes: boolean;
}

/** Prints config problems with their paths; exit 78 when the file is invalid. */
export function reportConfigError(err: unknown, io: CommandIo): number {
  if (err instanceof ConfigError) {
    io.err(`config ${err.file} is invalid (${err.code}):`);
    for (const p of err.problems) io.err(`  ${p.path || '(file)'}: ${p.message}`);
    return EXIT.CONFIG;
  }
  io.err(`error: ${describeError(err)}`);
  return EXIT.FAILURE;
}

export async function checkConfigCommand(file: string, options: CheckConfigOptions, io: CommandIo): Promise<number> {
  let loaded;
  try {
    loaded = loadConfig(file, { env: io.env });
  } catch (err) {
    return reportConfigError(err, io);
  }
  io.out(`ok    schema: ${loaded.file} (camera ${loaded.config.camera.id})`);
  if (!options.probes) return EXIT.OK;

  const results: ProbeResult[] = [];
  const show = (r: ProbeResult): void => {
    results.push(r);
    (r.ok ? io.out : io.err)(`${r.ok ? 'ok  ' : 'FAIL'}  ${r.field}: ${r.detail}`);
  };
  const [models, camera, central] = await Promise.all([probeModels(loaded), probeCamera(loaded), probeCentral(loaded, io.env)]);
  models.forEach(show);
  show(camera);
  show(central);
  const failed = results.filter((r) => !r.ok);
  if (failed.length === 0) return EXIT.OK;
  io.err(`${failed.length} probe(s) failed`);
  // A missing or broken model file, an unreadable or world-readable password file, or a source
  // that can never be video is a config error, as for `run` (systemd must not loop on it);
  // an unreachable camera or database, or a central schema to migrate, may be fixed meanwhile.
  return failed.some((r) => isConfigProblem(r.field)) ? EXIT.CONFIG : EXIT.UNAVAILABLE;
}

function isConfigProblem(field: string): boolean {
  return field.startsWith('models.') || field === 'central.password_file' || field === 'camera.source.url (not a video)';
}
