// The helmet models the agent ships: the head detector in models/helmet-heads/ (the default)
// and the classifier in models/helmet/ (the previous default, kept as a comparison): the files
// the manifest names (sha256 and size), the contracts in their labels.json, the example config
// using the head detector as its contract says, and ONNX Runtime reproducing the probe output
// its training report recorded from PyTorch.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { PACKAGE_MODELS_DIR, resolveModelPath } from '../../src/config/model-files.js';
import { readManifest, sha256File } from '../../src/shared/model-manifest.js';
import { repoRoot } from '../helpers/env.js';
import { probeInput, type HeadsReport } from '../helpers/head-probe.js';

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

const heads = JSON.parse(readFileSync(join(PACKAGE_MODELS_DIR, 'helmet-heads/labels.json'), 'utf8')) as {
  model: string;
  kind: string;
  classes: string[];
  input: { name: string; shape: [string, number, number, number]; color: string; scale: number; mean: number[]; std: number[] };
  output: { name: string; shape: [string, number, number] };
  region: { width_fraction: number; height_fraction: number; lift: number };
  presence_threshold: number;
  nms_iou: number;
  threshold: number;
  helmet_threshold: number;
  flip: boolean;
  calibration: { method: string; temperature: number; reliability: Array<{ n: number }> };
};
const headsReport = JSON.parse(readFileSync(join(PACKAGE_MODELS_DIR, 'helmet-heads/training-report.json'), 'utf8')) as HeadsReport;

describe('the shipped head detector', () => {
  it('is what the example config uses, with the input, region rule and thresholds of its labels.json', () => {
    const { config } = loadConfig(join(repoRoot, 'config.json'), { env: { ROADSIDE_MODELS_DIR: '/nonexistent' } });
    const h = config.models.helmet;
    expect(h.type).toBe('head_detector');
    if (h.type !== 'head_detector') return;
    expect(heads.kind).toBe('head_detector');
    expect(h.path).toBe(`package:helmet-heads/${heads.model}`);
    expect([h.input.width, h.input.height]).toEqual([heads.input.shape[3], heads.input.shape[2]]);
    expect(h.input.channel_order).toBe(heads.input.color.toLowerCase());
    expect([h.input.scale, ...h.input.mean, ...h.input.std]).toEqual([heads.input.scale, ...heads.input.mean, ...heads.input.std]);
    expect(h.region).toEqual(heads.region);
    expect([h.presence_threshold, h.nms_iou, h.threshold, h.helmet_threshold, h.flip]).toEqual([heads.presence_threshold, heads.nms_iou, heads.threshold, heads.helmet_threshold, heads.flip]);
    expect(heads.classes).toEqual(['helmet', 'no_helmet']);
    expect(heads.calibration.method).toBe('temperature');
    expect(heads.calibration.reliability.reduce((s, r) => s + r.n, 0)).toBeGreaterThan(0);
  });

  it('gives in ONNX Runtime the rows PyTorch gave on the training report\'s probe', async () => {
    const session = await ort.InferenceSession.create(join(PACKAGE_MODELS_DIR, 'helmet-heads', heads.model));
    try {
      expect(session.inputNames).toEqual([heads.input.name]);
      expect(session.outputNames).toEqual([heads.output.name]);
      const out = (await session.run({ [heads.input.name]: probeInput(heads.input.shape[3]) }))[heads.output.name]!;
      expect(out.dims).toEqual([1, heads.output.shape[1], 7]);
      const got = out.data as Float32Array;
      expect(headsReport.probe.rows).toHaveLength(heads.output.shape[1]);
      let worst = 0;
      headsReport.probe.rows.forEach((r, i) => r.forEach((v, k) => (worst = Math.max(worst, Math.abs(v - got[i * 7 + k]!)))));
      expect(worst).toBeLessThan(1e-3);
    } finally {
      await session.release();
    }
  });
});

describe('the shipped helmet classifier', () => {
  it('is named by the manifest with the sha256 and size of the file in models/, beside the head detector', async () => {
    expect(shipped.map((m) => m.role).sort()).toEqual(['helmet', 'helmet-classifier', 'helmet-classifier-labels', 'helmet-labels']);
    for (const m of shipped) {
      const file = resolveModelPath('/nonexistent', m.path);
      expect(await sha256File(file), m.path).toBe(m.sha256);
      if (m.bytes !== null) expect(statSync(file).size, m.path).toBe(m.bytes);
    }
  });

  it('has the contract the evaluation runs it by (scripts/eval.ts classifierRelease)', () => {
    expect(labels.model).toBe('rider_helmet.onnx');
    expect(labels.input.shape.slice(1)).toEqual([3, 64, 64]);
    expect([labels.input.color, labels.input.scale]).toEqual(['BGR', 1]);
    expect(labels.classes).toEqual(['helmet', 'no_helmet']);
    expect(labels.threshold).toBeGreaterThanOrEqual(labels.helmet_threshold);
    expect(labels.calibration.method).toBe('temperature');
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
