// Where the scene detector looks, on the real models and media (../shared); skipped, loudly, without them.
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type LoadedConfig } from '../../src/config/load.js';
import { createDetector, type InThreadDetector } from '../../src/detect/detector.js';
import { loadImageFrame } from '../../src/detect/image.js';
import { silentLogger } from '../../src/shared/logger.js';
import type { Frame } from '../../src/shared/types.js';
import { hasMedia, hasModels, mediaDir, modelsDir, repoRoot, skipNotice } from '../helpers/env.js';

const skip = skipNotice('detect region tests (real models)', hasModels && hasMedia, `${modelsDir} and ${mediaDir}`);

function config(): LoadedConfig {
  const loaded = loadConfig(resolve(repoRoot, 'config.json'), { env: { ROADSIDE_MODELS_DIR: modelsDir } });
  loaded.modelsDir = modelsDir;
  loaded.config.regions.whole_every_frames = 10;
  loaded.config.regions.recheck_frames = 4;
  return loaded;
}

describe.skipIf(skip)('scene detector regions on the real models', () => {
  let whole: InThreadDetector;
  let tiles: InThreadDetector;
  let regions: InThreadDetector;
  let street: Frame;
  beforeAll(async () => {
    const open = (scan: 'whole' | 'tiles' | 'regions'): Promise<InThreadDetector> => createDetector(config(), silentLogger(), { plates: 'suspects', scan });
    whole = await open('whole');
    tiles = await open('tiles');
    regions = await open('regions');
    street = await loadImageFrame(resolve(mediaDir, 'vn/huyhoanlee_test.jpg'));
  });
  afterAll(async () => {
    for (const d of [whole, tiles, regions] as Array<InThreadDetector | undefined>) await d?.close();
  });

  it('tiles at full detail find at least the motorcycles and riders of the whole-frame pass on a busy street photo', async () => {
    const w = await whole.analyze(street);
    const t = await tiles.analyze(street);
    expect(w.scan).toMatchObject({ mode: 'whole' });
    expect(t.scan?.mode).toBe('tiles');
    expect(t.scan!.regions.length).toBeGreaterThan(1);
    const riders = (a: typeof w): number => a.motorcycles.reduce((n, m) => n + m.riders.length, 0);
    expect(t.motorcycles.length).toBeGreaterThanOrEqual(w.motorcycles.length);
    expect(riders(t)).toBeGreaterThanOrEqual(riders(w));
    // Each whole-frame motorcycle is still there (merged, not doubled): a tiles box overlaps it.
    for (const m of w.motorcycles) {
      const same = t.motorcycles.filter((x) => x.motorcycle.box.x1 < m.motorcycle.box.x2 && x.motorcycle.box.x2 > m.motorcycle.box.x1 && x.motorcycle.box.y1 < m.motorcycle.box.y2 && x.motorcycle.box.y2 > m.motorcycle.box.y1);
      expect(same.length).toBeGreaterThan(0);
    }
  });

  it('on a still camera picture, scans whole first, then runs no model except to re-check stopped objects', async () => {
    const modes: string[] = [];
    for (let seq = 0; seq <= 10; seq++) {
      const a = await regions.analyze({ ...street, seq, data: street.data });
      modes.push(a.scan!.mode);
      if (a.scan!.mode === 'none') expect(a.timings['scene.model']).toBeUndefined();
    }
    // seq 0: the first frame is a whole pass; nothing moves after it, so only the re-checks of the
    // remembered (stopped) objects every recheck_frames run the model, in regions or, for more
    // objects than max_regions, whole (which also restarts the periodic count).
    expect(modes[0]).toBe('whole');
    modes.forEach((m, seq) => {
      if (seq > 0 && seq % 4 === 0) expect(['regions', 'whole']).toContain(m);
      else if (seq > 0) expect(m).toBe('none');
    });
  });
});
