// The helmet classifier the agent ships in models/helmet/: the file the manifest names (its
// sha256 and size), the contract in its labels.json, and the example config using it as that
// contract says.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { loadConfig, PACKAGE_MODELS_DIR, resolveModelPath } from '../../src/config/load.js';
import { readManifest, sha256File } from '../../src/shared/model-manifest.js';
import { repoRoot } from '../helpers/env.js';

const shipped = readManifest().filter((m) => m.path.startsWith('package:'));
const labels = JSON.parse(readFileSync(join(PACKAGE_MODELS_DIR, 'helmet/labels.json'), 'utf8')) as {
  model: string;
  classes: string[];
  input: { name: string; shape: [string, number, number, number]; color: string; scale: number; mean: number[]; std: number[] };
  output: { name: string };
  threshold: number;
  helmet_threshold: number;
  crop: { height_fraction: number; width_fraction: number; lift: number };
  calibration: { method: string; temperature: number; reliability: Array<{ n: number }> };
};

describe('the shipped helmet classifier', () => {
  it('is named by the manifest with the sha256 and size of the file in models/', async () => {
    expect(shipped.map((m) => m.role).sort()).toEqual(['helmet', 'helmet-labels']);
    for (const m of shipped) {
      const file = resolveModelPath('/nonexistent', m.path);
      expect(await sha256File(file), m.path).toBe(m.sha256);
      if (m.bytes !== null) expect(statSync(file).size, m.path).toBe(m.bytes);
    }
  });

  it('is what the example config uses, with the input, crop rule and thresholds of its labels.json', () => {
    const { config } = loadConfig(join(repoRoot, 'config.json'), { env: { ROADSIDE_MODELS_DIR: '/nonexistent' } });
    const h = config.models.helmet;
    expect(h.type).toBe('classifier');
    if (h.type !== 'classifier') return;
    expect(h.path).toBe(`package:helmet/${labels.model}`);
    expect([h.input.width, h.input.height]).toEqual([labels.input.shape[3], labels.input.shape[2]]);
    expect(h.input.channel_order).toBe(labels.input.color.toLowerCase());
    expect([h.input.scale, ...h.input.mean, ...h.input.std]).toEqual([labels.input.scale, ...labels.input.mean, ...labels.input.std]);
    expect(h.crop).toEqual(labels.crop);
    expect(h.threshold).toBe(labels.threshold);
    expect(h.helmet_threshold).toBe(labels.helmet_threshold);
    expect(labels.classes[h.no_helmet_index]).toBe('no_helmet');
    expect(labels.calibration.method).toBe('temperature');
    expect(labels.calibration.reliability.reduce((s, r) => s + r.n, 0)).toBeGreaterThan(0);
  });

  it('loads in ONNX Runtime and gives a probability pair per crop of a batch', async () => {
    const session = await ort.InferenceSession.create(join(PACKAGE_MODELS_DIR, 'helmet', labels.model));
    try {
      expect(session.inputNames).toEqual([labels.input.name]);
      expect(session.outputNames).toEqual([labels.output.name]);
      const [, c, hh, w] = labels.input.shape;
      const n = 3;
      const data = new Float32Array(n * c * hh * w).map((_, i) => (i * 37) % 256);
      const out = await session.run({ [labels.input.name]: new ort.Tensor('float32', data, [n, c, hh, w]) });
      const prob = out[labels.output.name]!;
      expect(prob.dims).toEqual([n, 2]);
      const p = prob.data as Float32Array;
      for (let i = 0; i < n; i++) {
        expect(p[2 * i]! + p[2 * i + 1]!).toBeCloseTo(1, 5);
        expect(p[2 * i + 1]!).toBeGreaterThanOrEqual(0);
      }
    } finally {
      await session.release();
    }
  });
});
