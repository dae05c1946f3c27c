// Evaluation of the detect stage against ground truth, through the pipeline's own code, as a
// printed table and a JSON report:
//   npm run eval -- [--media DIR] [--json FILE] [--frames DIR --split val] [--models DIR] [--config FILE]
// --media (default ../shared/media) holds bikeshelmets/ (VOC frames), helmet-crops/ and
// openalpr/; --frames (default ../shared/datasets/helmet-frames, when present) is a YOLO-layout
// frame set whose --split is evaluated too. The configured chain (config.json) and, when its
// model file is in the models directory, the provisional helmet chain are run side by side.
// Nothing is copied from the media; everything is read in place.
import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadConfig, type LoadedConfig } from '../src/config/load.js';
import { createDetector, type InThreadDetector } from '../src/detect/detector.js';
import { loadImageFrame } from '../src/detect/image.js';
import { silentLogger } from '../src/shared/logger.js';
import { evalHelmetCrops, countsAt, type HelmetCropsResult } from './eval/helmet-crops.js';
import { evalHelmetFrames, vocFrames, yoloFrames, type HelmetFramesResult } from './eval/helmet-frames.js';
import { evalOpenalpr } from './eval/plates.js';
import { fmt, pct, precision, recall, Table } from './eval/table.js';

const root = resolve(import.meta.dirname, '..');
const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const modelsDir = resolve(arg('--models') ?? process.env.ROADSIDE_MODELS_DIR ?? join(root, '../shared/models'));
const mediaDir = resolve(arg('--media') ?? process.env.ROADSIDE_MEDIA_DIR ?? join(root, '../shared/media'));
const framesDir = resolve(arg('--frames') ?? join(root, '../shared/datasets/helmet-frames'));
const split = arg('--split') ?? 'val';
const configFile = resolve(arg('--config') ?? join(root, 'config.json'));
const jsonOut = arg('--json');

/** The helmet chain this project shipped before its own classifier: kept only as a comparison. */
function provisional(l: LoadedConfig): void {
  l.config.models.helmet = {
    type: 'classifier',
    path: 'helmet/helmet_cls.onnx',
    input: { width: 64, height: 64, channel_order: 'rgb', layout: 'nchw', dtype: 'float32', scale: 1 / 255, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5], resize: 'stretch', pad_value: 114, interpolation: 'area' },
    no_helmet_index: 1,
    threshold: 0.9,
    helmet_threshold: 0.5,
    crop: { height_fraction: 0.3, width_fraction: 1, lift: 0.05 },
  };
  l.config.models.riders = { vehicle_classes: [], vehicle_score_threshold: 0.3 };
}

function config(edit: (l: LoadedConfig) => void = () => {}): LoadedConfig {
  const loaded = loadConfig(configFile, { env: { ...process.env, ROADSIDE_MODELS_DIR: modelsDir } });
  loaded.modelsDir = modelsDir;
  edit(loaded);
  return loaded;
}

interface HelmetReport {
  helmet_frames: HelmetFramesResult;
  helmet_frames_val: HelmetFramesResult | null;
  helmet_crops: { n: number; threshold: number; no_helmet: { tp: number; fp: number; fn: number } } | null;
}

const t = new Table();

async function helmetChain(name: string, d: InThreadDetector, threshold: number): Promise<HelmetReport> {
  const voc = vocFrames(join(mediaDir, 'bikeshelmets'), (m) => t.note(`bad input: ${m}`));
  const frames = await evalHelmetFrames(d, voc);
  const val = existsSync(join(framesDir, 'images', split)) ? await evalHelmetFrames(d, yoloFrames(framesDir, split)) : null;
  const crops = await evalHelmetCrops(d, join(mediaDir, 'helmet-crops'), threshold);
  for (const [set, r] of [['bikeshelmets', frames], [`helmet-frames ${split}`, val]] as const) {
    if (!r) continue;
    t.row(`${set} (${r.frames} frames, ${r.heads} heads, ${r.bare_heads} bare): ${name}`, 'heads covered by a rider head crop', `${r.covered}/${r.heads}`, pct(r.covered, r.heads));
    t.row('', 'verdict right, per labelled head', `${r.right}/${r.heads}`, pct(r.right, r.heads));
    t.row('', 'no_helmet per labelled head', `tp ${r.no_helmet.tp} fp ${r.no_helmet.fp} fn ${r.no_helmet.fn}`, `P ${fmt(precision(r.no_helmet))} R ${fmt(recall(r.no_helmet))}`);
    t.row('', 'found', `${r.persons} persons, ${r.riders} riders, ${r.frames_without_vehicle} frames without a vehicle`, '');
  }
  if (crops) cropRows(name, crops);
  return { helmet_frames: frames, helmet_frames_val: val, helmet_crops: crops && { n: crops.n, threshold: crops.threshold, no_helmet: crops.no_helmet } };
}

function cropRows(name: string, c: HelmetCropsResult): void {
  for (const th of [c.threshold, 0.5]) {
    const k = countsAt(c.scored, th);
    t.row(th === c.threshold ? `helmet crops (${c.helmet} helmet, ${c.bare} no_helmet): ${name}` : '', `classifier alone, no_helmet at p >= ${th}`, `tp ${k.tp} fp ${k.fp} fn ${k.fn}`, `P ${fmt(precision(k))} R ${fmt(recall(k))}`);
  }
}

async function riderRows(d: InThreadDetector, name: string): Promise<void> {
  for (const file of ['in/nhutanh_1.mp4_186.jpg', 'vn/huyhoanlee_test.jpg']) {
    if (!existsSync(join(mediaDir, file))) continue;
    const a = await d.analyze(await loadImageFrame(join(mediaDir, file)));
    const rs = a.motorcycles.flatMap((m) => m.riders);
    t.row(`${file}: ${name}`, `${a.motorcycles.length} motorcycles, ${rs.length} riders`, rs.map((r) => `${r.helmet.verdict} ${r.helmet.noHelmetScore.toFixed(2)}`).join(', ') || '-', '');
  }
}

async function main(): Promise<void> {
  if (!existsSync(join(modelsDir, 'coco/yolox_nano.onnx')) || !existsSync(mediaDir)) {
    console.error(`eval: models or media not found (${modelsDir}, ${mediaDir}); set --models / --media`);
    process.exitCode = 2;
    return;
  }
  const loaded = config();
  const shipped = await createDetector(loaded, silentLogger(), { plates: 'all' });
  const old = existsSync(join(modelsDir, 'helmet/helmet_cls.onnx')) ? await createDetector(config(provisional), silentLogger(), { plates: 'all' }) : null;
  const report: Record<string, unknown> = { media: mediaDir, frames: existsSync(framesDir) ? `${framesDir} (${split})` : null, models: shipped.modelIds };
  try {
    const h = loaded.config.models.helmet;
    Object.assign(report, await helmetChain('shipped', shipped, h.type === 'classifier' ? h.threshold : 0.5));
    await riderRows(shipped, 'shipped');
    if (old) {
      report.provisional = { models: old.modelIds, ...(await helmetChain('provisional', old, 0.9)) };
      await riderRows(old, 'provisional');
    } else t.note('the provisional helmet classifier (helmet/helmet_cls.onnx) is not in the models directory: no comparison');
    const plates = await evalOpenalpr(shipped, mediaDir);
    for (const [region, r] of Object.entries(plates)) {
      t.row(`openalpr ${region} (${r.images} images, ${r.n} plates)`, 'e2e: scene cars → plate locator → reader', `found ${r.found}, exact ${r.exact}, folded ${r.exact_folded}`, pct(r.exact, r.n));
      t.row('', 'reader on ground-truth boxes', `exact ${r.reader_on_gt_exact}/${r.n}`, pct(r.reader_on_gt_exact, r.n));
    }
    report.plates = plates;
  } finally {
    await Promise.all([shipped.close(), old?.close()]);
  }
  t.print();
  if (jsonOut) {
    writeFileSync(resolve(jsonOut), `${JSON.stringify(report, null, 2)}\n`);
    console.log(`\neval: wrote ${resolve(jsonOut)}`);
  }
}

await main();
