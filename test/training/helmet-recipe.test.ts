// The helmet training recipe on a tiny sample (8 frames per split, one epoch): its data
// loading through the agent's own scene detector and crop rule, training, calibration and
// ONNX export run, and what it writes is a model ONNX Runtime loads with its contract. CI does
// not train the shipped model; this proves the recipe that does still works.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { datasetsDir, hasModels, modelsDir, repoRoot } from '../helpers/env.js';

const data = join(datasetsDir, 'helmet-frames');
const torch = spawnSync('/usr/bin/python3', ['-c', 'import torch, onnx, cv2'], { encoding: 'utf8' }).status === 0;
const ready = hasModels && existsSync(join(data, 'images/train')) && torch;
if (!ready) {
  console.warn(
    `SKIPPED: helmet training recipe: needs ${join(modelsDir, 'coco/yolox_nano.onnx')}, ${data} and Debian's python3-torch/onnx/opencv (bash training/helmet/setup.sh)` +
      ` — models ${hasModels}, data ${existsSync(data)}, torch ${torch}`,
  );
}
const out = mkdtempSync(join(tmpdir(), 'rsa-helmet-recipe-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe.skipIf(!ready)('training/helmet/train.sh --tiny', () => {
  it('writes a calibrated classifier, its labels.json and a training report', async () => {
    const run = spawnSync('bash', ['training/helmet/train.sh', '--tiny'], {
      cwd: repoRoot,
      env: { ...process.env, HELMET_DATA: data, ROADSIDE_MODELS_DIR: modelsDir, HELMET_OUT: out },
      encoding: 'utf8',
      timeout: 240_000,
    });
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    const labels = JSON.parse(readFileSync(join(out, 'labels.json'), 'utf8')) as { model: string; input: { shape: number[] }; threshold: number; calibration: { temperature: number } };
    const report = JSON.parse(readFileSync(join(out, 'training-report.json'), 'utf8')) as { train_crops: number; val_crops: number; export_max_abs_diff: number };
    expect(report.train_crops).toBeGreaterThan(0);
    expect(report.val_crops).toBeGreaterThan(0);
    expect(report.export_max_abs_diff).toBeLessThan(1e-3);
    expect(labels.calibration.temperature).toBeGreaterThan(0);
    const session = await ort.InferenceSession.create(join(out, labels.model));
    try {
      const res = await session.run({ input: new ort.Tensor('float32', new Float32Array(2 * 3 * 64 * 64).fill(120), [2, 3, 64, 64]) });
      expect(res.prob!.dims).toEqual([2, 2]);
    } finally {
      await session.release();
    }
  }, 300_000);
});
