// The head detector's training recipe on a tiny sample (8 frames per split, one epoch): region
// loading through the agent's own scene detector, training, calibration and ONNX export run,
// and ONNX Runtime, running the exported file on the recipe's probe pattern, agrees with
// PyTorch. CI does not train the shipped model; this proves the recipe that does still works.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { datasetsDir, hasModels, modelsDir, repoRoot } from '../helpers/env.js';
import { mergeViews } from '../../src/detect/head-views.js';
import { dropContained } from '../../src/detect/nms.js';
import { SAME_HEAD_COVER } from '../../src/detect/head-detector.js';
import type { FoundHead } from '../../src/detect/head-detector.js';
import { probeInput, type HeadsReport } from '../helpers/head-probe.js';
import { matchHeads, SAME_LABEL_COVER } from '../../scripts/eval/helmet-frames.js';
import type { Box, Rider } from '../../src/shared/types.js';

const data = join(datasetsDir, 'helmet-frames');
const torch = spawnSync('/usr/bin/python3', ['-c', 'import torch, onnx, cv2'], { encoding: 'utf8' }).status === 0;
const ready = hasModels && existsSync(join(data, 'images/train')) && torch;
if (!ready) {
  console.warn(
    `SKIPPED: head detector training recipe: needs ${join(modelsDir, 'coco/yolox_nano.onnx')}, ${data} and Debian's python3-torch/onnx/opencv (bash training/helmet/setup.sh)` +
      ` — models ${hasModels}, data ${existsSync(data)}, torch ${torch}`,
  );
}
const out = mkdtempSync(join(tmpdir(), 'rsa-heads-recipe-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe.skipIf(!ready)('training/helmet/train-heads.sh --tiny', () => {
  it('writes a head detector, its labels.json and a report whose probe ONNX Runtime reproduces', async () => {
    const run = spawnSync('bash', ['training/helmet/train-heads.sh', '--tiny'], {
      cwd: repoRoot,
      env: { ...process.env, HELMET_DATA: data, ROADSIDE_MODELS_DIR: modelsDir, HELMET_OUT: out },
      encoding: 'utf8',
      timeout: 240_000,
    });
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    const labels = JSON.parse(readFileSync(join(out, 'labels.json'), 'utf8')) as { model: string; kind: string; input: { shape: [string, number, number, number] }; output: { shape: [string, number, number] }; calibration: { temperature: number }; region: Record<string, number> };
    const report = JSON.parse(readFileSync(join(out, 'training-report.json'), 'utf8')) as HeadsReport & { train_regions: number; val_regions: number; members: Array<{ seed: number; history: unknown[] }> };
    expect(labels.kind).toBe('head_detector');
    expect(Object.keys(labels.region).sort()).toEqual(['height_fraction', 'lift', 'width_fraction']);
    expect(report.train_regions).toBeGreaterThan(0);
    expect(report.val_regions).toBeGreaterThan(0);
    // The default ensemble: three members from consecutive seeds, one epoch each on the tiny sample.
    expect(report.members.map((m) => m.seed - report.members[0]!.seed)).toEqual([0, 1, 2]);
    for (const m of report.members) expect(m.history).toHaveLength(1);
    expect(labels.calibration.temperature).toBeGreaterThan(0);
    const session = await ort.InferenceSession.create(join(out, labels.model));
    try {
      const size = labels.input.shape[3];
      const rows = (await session.run({ input: probeInput(size) })).heads!;
      expect(rows.dims).toEqual([1, labels.output.shape[1], 7]);
      const got = rows.data as Float32Array;
      let worst = 0;
      report.probe.rows.forEach((r, i) => r.forEach((v, k) => (worst = Math.max(worst, Math.abs(v - got[i * 7 + k]!)))));
      expect(worst).toBeLessThan(1e-3);
    } finally {
      await session.release();
    }
  }, 300_000);

  it('merges a region\'s two views as the agent does (heads_judge.merge_views = mergeViews)', () => {
    const h = (x1: number, presence: number, noHelmet: number): FoundHead => ({ x1, y1: 0, x2: x1 + 20, y2: 20, score: presence, classId: 0, noHelmet });
    const plain = [h(0, 0.9, 0.9), h(1, 0.5, 0.3), h(60, 0.4, 0.6)];
    const mirrored = [h(2, 0.6, 0.2), h(200, 0.7, 0.95)];
    const logit = (p: number): number => Math.log(p / (1 - p));
    const asRows = (hs: FoundHead[]): number[][] => hs.map((x) => [x.x1, x.y1, x.x2, x.y2, x.score, logit(x.noHelmet)]);
    const script = [
      'import json, sys',
      "sys.path.insert(0, 'training/helmet')",
      'from heads_judge import merge_views',
      'a = json.loads(sys.argv[1]); b = json.loads(sys.argv[2])',
      'v = lambda hs: [(tuple(r[:4]), r[4], r[5]) for r in hs]',
      'print(json.dumps(sorted([list(box) + [pr, d] for box, pr, d in merge_views(v(a), v(b))], key=lambda r: -r[4])))',
    ].join('\n');
    const run = spawnSync('/usr/bin/python3', ['-c', script, JSON.stringify(asRows(plain)), JSON.stringify(asRows(mirrored))], { cwd: repoRoot, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const python = JSON.parse(run.stdout) as number[][];
    const agent = asRows(mergeViews(plain, mirrored));
    expect(python).toHaveLength(agent.length);
    python.forEach((r, i) => r.forEach((v, k) => expect(v).toBeCloseTo(agent[i]![k]!, 9)));
  }, 60_000);

  it.skipIf(!existsSync(join(datasetsDir, 'helmet-crops/manifest.csv')))('cuts --crops regions around each crop\'s own head, inside the crop, with its labelled neighbours', () => {
    const script = [
      'import json, random, sys',
      "sys.path.insert(0, 'training/helmet')",
      'from data import Images',
      'from heads_crops import crop_region, load_crops',
      'from heads_data import targets_in',
      'images = Images(sys.argv[2])',
      "heads, keys = load_crops(sys.argv[1], sys.argv[2], 'C_nckh', images, limit=8)",
      'rng = random.Random(1)',
      'out = []',
      'for k in keys:',
      '    side = images.get(k).shape[1]',
      '    r = crop_region(side, (2.4, 0.0, 0.19), rng)',
      '    own = min(heads[k], key=lambda h: abs((h[1][0] + h[1][2]) / 2 - side / 2) + abs((h[1][1] + h[1][3]) / 2 - side / 2))',
      '    out.append({"side": side, "region": r, "heads": len(heads[k]), "own_centre": [(own[1][0] + own[1][2]) / 2, (own[1][1] + own[1][3]) / 2], "targets": len(targets_in(heads[k], r, 128))})',
      'print(json.dumps(out))',
    ].join('\n');
    const run = spawnSync('/usr/bin/python3', ['-c', script, join(datasetsDir, 'helmet-crops'), data], { cwd: repoRoot, encoding: 'utf8', timeout: 120_000 });
    expect(run.status, run.stderr).toBe(0);
    const crops = JSON.parse(run.stdout) as Array<{ side: number; region: number[]; heads: number; own_centre: number[]; targets: number }>;
    expect(crops).toHaveLength(8);
    for (const c of crops) {
      // the crop set centres each crop on its head; the region stays inside the crop and holds it
      c.own_centre.forEach((v) => expect(Math.abs(v - c.side / 2)).toBeLessThan(1));
      expect(Math.min(...c.region)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...c.region)).toBeLessThanOrEqual(c.side);
      expect(c.targets).toBeGreaterThanOrEqual(1);
    }
  }, 120_000);

  it('averages its members\' raw outputs per cell (heads_model.HeadEnsemble) and decodes them as one model does', () => {
    const script = [
      'import json, sys, torch',
      "sys.path.insert(0, 'training/helmet')",
      'from heads_model import HeadEnsemble, HeadNet, decode_rows',
      'torch.manual_seed(1); a = HeadNet(sys.argv[1]).eval()',
      'torch.manual_seed(2); b = HeadNet(sys.argv[1]).eval()',
      'x = torch.rand(2, 3, 128, 128) * 255',
      'with torch.no_grad():',
      '    twice = HeadEnsemble([a, a]).eval()(x)',
      '    pair = HeadEnsemble([a, b]).eval()(x)',
      '    by_hand = decode_rows([(p + q) / 2 for p, q in zip(a.raw(x), b.raw(x))], torch.ones(1))',
      '    print(json.dumps({"twice": float((twice - a(x)).abs().max()), "pair": float((pair - by_hand).abs().max()), "apart": float((pair - a(x)).abs().max())}))',
    ].join('\n');
    const run = spawnSync('/usr/bin/python3', ['-c', script, join(modelsDir, 'coco/yolox_nano.onnx')], { cwd: repoRoot, encoding: 'utf8', timeout: 120_000 });
    expect(run.status, run.stderr).toBe(0);
    const d = JSON.parse(run.stdout) as { twice: number; pair: number; apart: number };
    expect(d.twice).toBeLessThan(1e-4);
    expect(d.pair).toBeLessThan(1e-4);
    expect(d.apart).toBeGreaterThan(1e-3);
  }, 120_000);

  it('keeps one of two heads over one head as the agent does (heads_judge.drop_contained = dropContained)', () => {
    const h = (x1: number, y1: number, side: number, presence: number): FoundHead => ({ x1, y1, x2: x1 + side, y2: y1 + side, score: presence, classId: 0, noHelmet: 0.5 });
    // inside a surer head, offset over most of it, offset over half of it, beside it, surer inside a larger one
    const heads = [h(0, 0, 20, 0.9), h(5, 5, 7, 0.5), h(6, 0, 20, 0.4), h(10, 30, 20, 0.8), h(20, 30, 20, 0.3), h(60, 0, 20, 0.7), h(100, 0, 30, 0.2), h(105, 5, 10, 0.6)];
    const script = [
      'import json, sys',
      "sys.path.insert(0, 'training/helmet')",
      'from heads_judge import SAME_HEAD_COVER, drop_contained',
      'hs = [(tuple(r[:4]), r[4], 0.0) for r in json.loads(sys.argv[1])]',
      'print(json.dumps({"cover": SAME_HEAD_COVER, "kept": [f[1] for f in drop_contained(hs)]}))',
    ].join('\n');
    const run = spawnSync('/usr/bin/python3', ['-c', script, JSON.stringify(heads.map((x) => [x.x1, x.y1, x.x2, x.y2, x.score]))], { cwd: repoRoot, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const python = JSON.parse(run.stdout) as { cover: number; kept: number[] };
    expect(python.cover).toBe(SAME_HEAD_COVER);
    expect(python.kept).toEqual(dropContained(heads, SAME_HEAD_COVER).map((x) => x.score));
    expect(python.kept).toEqual([0.9, 0.8, 0.7, 0.6, 0.3]);
  }, 60_000);

  it('matches labelled heads to found heads as the evaluation does (heads_judge.match_heads = matchHeads)', () => {
    const b = (x1: number, y1: number, x2: number, y2: number): Box => ({ x1, y1, x2, y2 });
    const rider = (headBox: Box): Rider => ({ person: { box: headBox, score: 1, classId: 0, role: 'person' }, helmet: { verdict: 'helmet', noHelmetScore: 0, headBox } });
    // a tight box in a loose label, one box over two labels, two boxes on one label, a box beside a label
    const labels = [b(95, 30, 135, 70), b(200, 40, 220, 60), b(220, 40, 240, 60), b(300, 40, 320, 60), b(400, 40, 420, 60)];
    const found = [b(105, 40, 120, 58), b(202, 38, 240, 62), b(300, 40, 311, 60), b(300, 40, 318, 60), b(411, 40, 431, 60)];
    const script = [
      'import json, sys',
      "sys.path.insert(0, 'training/helmet')",
      'from heads_judge import SAME_LABEL_COVER, match_heads',
      'ls, fs = json.loads(sys.argv[1]), json.loads(sys.argv[2])',
      'print(json.dumps({"cover": SAME_LABEL_COVER, "match": match_heads([tuple(g) for g in ls], [(tuple(f), 1.0, 0.0) for f in fs])}))',
    ].join('\n');
    const rows = (bs: Box[]): number[][] => bs.map((x) => [x.x1, x.y1, x.x2, x.y2]);
    const run = spawnSync('/usr/bin/python3', ['-c', script, JSON.stringify(rows(labels)), JSON.stringify(rows(found))], { cwd: repoRoot, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const python = JSON.parse(run.stdout) as { cover: number; match: Array<number | null> };
    const riders = found.map(rider);
    const agent = matchHeads(labels, riders).map((r) => (r === null ? null : riders.indexOf(r)));
    expect(python.cover).toBe(SAME_LABEL_COVER);
    expect(python.match).toEqual(agent);
    expect(agent).toEqual([0, null, 1, 3, null]);
  }, 60_000);
});
