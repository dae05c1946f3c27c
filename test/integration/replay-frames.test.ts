// `replay --frames-every N` writes annotated frames showing where the scene detector looked, on
// the real models and the demo clip. Skipped, loudly, without them.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replayCommand } from '../../src/commands/replay.js';
import { hasMedia, hasModels, mediaDir, modelsDir, repoRoot, skipNotice } from '../helpers/env.js';

const skip = skipNotice('replay annotated-frame test (real models and media)', hasModels && hasMedia, `${modelsDir} and ${mediaDir}`);

describe.skipIf(skip)('replay --frames-every', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rsa-replay-frames-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes every 8th frame of the clip annotated and counts the scene runs', async () => {
    const c = JSON.parse(readFileSync(resolve(repoRoot, 'config.json'), 'utf8')) as Record<string, unknown> & { models: Record<string, unknown> };
    delete c.$schema;
    c.models.dir = modelsDir;
    const config = join(dir, 'camera.json');
    writeFileSync(config, JSON.stringify(c));
    const stderr: string[] = [];
    const out = join(dir, 'out');
    const code = await replayCommand(
      resolve(mediaDir, 'in/nhutanh_test1.mp4'),
      { config, out, logLevel: 'warn', framesEvery: 8 },
      { out: () => undefined, err: (l) => stderr.push(l), env: {} },
    );
    expect(code).toBe(0);
    expect(readdirSync(out).filter((f) => f.startsWith('frame-')).sort()).toEqual(['frame-000000.jpg', 'frame-000008.jpg', 'frame-000016.jpg']);
    const meta = await sharp(join(out, 'frame-000008.jpg')).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 1280, 720]);
    const summary = JSON.parse(stderr.filter((l) => l.startsWith('replay: {')).at(-1)!.slice('replay: '.length)) as { frames: number; scene_runs: number; frames_without_inference: number };
    expect(summary.frames).toBe(24);
    // Regions are on in the example config: at least one scene run per frame that ran one.
    expect(summary.scene_runs).toBeGreaterThanOrEqual(summary.frames - summary.frames_without_inference);
  });
});
