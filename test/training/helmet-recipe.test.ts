// The helmet training recipe on a tiny sample (8 frames per split, one epoch): its data
// loading through the agent's own scene detector and crop rule, training, calibration and
// ONNX export run, and what it writes is a model ONNX Runtime loads with its contract. CI does
// not train the shipped model; this proves the recipe that does still works.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
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
const crops = join(datasetsDir, 'helmet-crops');
const out = mkdtempSync(join(tmpdir(), 'rsa-helmet-recipe-'));
const outOptions = mkdtempSync(join(tmpdir(), 'rsa-helmet-recipe-options-'));
const outBag = mkdtempSync(join(tmpdir(), 'rsa-helmet-recipe-bag-'));
afterAll(() => {
  rmSync(out, { recursive: true, force: true });
  rmSync(outOptions, { recursive: true, force: true });
  rmSync(outBag, { recursive: true, force: true });
});

function tiny(dir: string, extra: string[] = []): SpawnSyncReturns<string> {
  return spawnSync('bash', ['training/helmet/train.sh', '--tiny', ...extra], {
    cwd: repoRoot,
    env: { ...process.env, HELMET_DATA: data, ROADSIDE_MODELS_DIR: modelsDir, HELMET_OUT: dir },
    encoding: 'utf8',
    timeout: 240_000,
  });
}

describe.skipIf(!ready)('training/helmet/train.sh --tiny', () => {
  it('writes a calibrated classifier, its labels.json and a training report', async () => {
    const run = tiny(out);
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    const labels = JSON.parse(readFileSync(join(out, 'labels.json'), 'utf8')) as { model: string; input: { shape: number[] }; threshold: number; calibration: { temperature: number } };
    const report = JSON.parse(readFileSync(join(out, 'training-report.json'), 'utf8')) as {
      train_crops: number;
      val_crops: number;
      export_max_abs_diff: number;
      crop_set_val: { threshold: number; left_out: Record<string, number>; sources: Record<string, { helmet: number; helmet_called_no_helmet: number }> } | null;
    };
    expect(report.train_crops).toBeGreaterThan(0);
    expect(report.val_crops).toBeGreaterThan(0);
    expect(report.export_max_abs_diff).toBeLessThan(1e-3);
    expect(labels.calibration.temperature).toBeGreaterThan(0);
    if (existsSync(join(crops, 'manifest.csv'))) {
      // the crop set's val split is judged at the model's own threshold, per source
      expect(report.crop_set_val!.threshold).toBe(labels.threshold);
      expect(Object.keys(report.crop_set_val!.left_out).sort()).toEqual(['frame_set_photo', 'near_duplicate', 'unreadable']);
      for (const s of Object.values(report.crop_set_val!.sources)) expect(s.helmet_called_no_helmet).toBeLessThanOrEqual(s.helmet);
    } else expect(report.crop_set_val).toBeNull();
    const session = await ort.InferenceSession.create(join(out, labels.model));
    try {
      const res = await session.run({ input: new ort.Tensor('float32', new Float32Array(2 * 3 * 64 * 64).fill(120), [2, 3, 64, 64]) });
      expect(res.prob!.dims).toEqual([2, 2]);
    } finally {
      await session.release();
    }
  }, 300_000);

  it.skipIf(!existsSync(join(crops, 'manifest.csv')))('runs the measured options too: crop-set heads, truncated heads, weight averaging, a 2x2 grid', () => {
    const run = tiny(outOptions, ['--crops', crops, '--truncate', '0.5', '--ema', '0.9', '--grid', '2']);
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    const report = JSON.parse(readFileSync(join(outOptions, 'training-report.json'), 'utf8')) as { crop_set_heads: number; crop_set_left_out: Record<string, number>; grid: number; export_max_abs_diff: number };
    expect(report.crop_set_heads).toBeGreaterThan(0);
    expect(Object.keys(report.crop_set_left_out).sort()).toEqual(['frame_set_photo', 'near_duplicate', 'unreadable']);
    expect(report.grid).toBe(2);
    expect(report.export_max_abs_diff).toBeLessThan(1e-3);
  }, 300_000);

  it('bags members over grouped folds of the train split and ships them mirror-averaged', async () => {
    const run = tiny(outBag, ['--bag', '2', '--size', '96']);
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    const report = JSON.parse(readFileSync(join(outBag, 'training-report.json'), 'utf8')) as {
      mirror: boolean;
      keep_last: boolean;
      bag: { folds: number; out_of_fold: { crops: number; auc: number }; heldout_nll_per_epoch: number[] };
      train_crops: number;
      export_max_abs_diff: number;
    };
    expect(report.bag.folds).toBe(2);
    expect(report.keep_last).toBe(true);
    expect(report.mirror).toBe(true);
    // every train crop is judged once, by the member that did not see its photo
    expect(report.bag.out_of_fold.crops).toBe(report.train_crops);
    expect(report.bag.heldout_nll_per_epoch).toHaveLength(1);
    expect(report.export_max_abs_diff).toBeLessThan(1e-3);
    const session = await ort.InferenceSession.create(join(outBag, 'rider_helmet.onnx'));
    try {
      const crop = new Float32Array(3 * 96 * 96).map((_, i) => (i % 96) * 2);
      const mirrored = new Float32Array(3 * 96 * 96).map((_, i) => (95 - (i % 96)) * 2);
      const both = new Float32Array(2 * 3 * 96 * 96);
      both.set(crop);
      both.set(mirrored, crop.length);
      const p = (await session.run({ input: new ort.Tensor('float32', both, [2, 3, 96, 96]) })).prob!.data as Float32Array;
      // a crop and its mirror image get the same verdict
      expect(p[1]).toBeCloseTo(p[3]!, 5);
    } finally {
      await session.release();
    }
  }, 300_000);
});
