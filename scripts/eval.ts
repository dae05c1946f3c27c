// Evaluation of the detect stage against ground truth, through the pipeline's own code, as a
// printed table and a JSON report:
//   npm run eval -- [--media DIR] [--json FILE] [--frames DIR --split val] [--models DIR] [--config FILE]
//                   [--no-compare] [--no-plates] [--baseline DIR]
// --media (default ../shared/media) holds bikeshelmets/ (VOC frames), helmet-crops/ and
// openalpr/; --frames (default ../shared/datasets/helmet-frames, when present) is a YOLO-layout
// frame set whose --split is evaluated too. Each labelled frame set is scanned whole and in
// tiles (as `detect` scans stills, like live regions): `helmet_frames.tiles` in the JSON. The
// configured chain (config.json) and, when its model file is in the models directory, the
// provisional helmet chain are run side by side;
// --baseline names a recipe's output folder holding another helmet model of the configured kind
// (its ONNX and labels.json, e.g. the previously shipped one) run as another chain with its own
// thresholds.
// Nothing is copied from the media; everything is read in place.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadConfig, type LoadedConfig } from '../src/config/load.js';
import { createDetector, type InThreadDetector } from '../src/detect/detector.js';
import { loadImageFrame } from '../src/detect/image.js';
import { splitTimings } from '../src/detect/timings.js';
import { silentLogger } from '../src/shared/logger.js';
import type { FrameAnalysis } from '../src/shared/types.js';
import { CLASSIFIER_RIDER_THRESHOLDS, helmetChain as evalChain, type HelmetChainSets } from './eval/helmet-chain.js';
import { evalPlates, type PlateEvalResult } from './eval-plates.js';
import { pct, Table } from './eval/table.js';

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
const flag = (name: string): boolean => process.argv.includes(name);

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
    wide_box_edges: null,
  };
  l.config.models.riders = { vehicle_classes: [], vehicle_score_threshold: 0.3, person_score_threshold: null };
}

/** The project's helmet classifier (models/helmet, the default until the head detector) as config.json ran it: kept as a comparison. */
function classifierRelease(l: LoadedConfig): void {
  const labels = JSON.parse(readFileSync(join(root, 'models/helmet/labels.json'), 'utf8')) as { threshold: number; helmet_threshold: number; crop: { height_fraction: number; width_fraction: number; lift: number } };
  l.config.models.helmet = {
    type: 'classifier',
    path: 'package:helmet/rider_helmet.onnx',
    input: { width: 64, height: 64, channel_order: 'bgr', layout: 'nchw', dtype: 'float32', scale: 1, mean: [0, 0, 0], std: [1, 1, 1], resize: 'stretch', pad_value: 114, interpolation: 'area' },
    no_helmet_index: 1,
    threshold: labels.threshold,
    helmet_threshold: labels.helmet_threshold,
    crop: labels.crop,
    wide_box_edges: 1.5,
  };
  l.config.models.riders = { ...l.config.models.riders, ...CLASSIFIER_RIDER_THRESHOLDS };
}

/**
 * The helmet model of a recipe's output folder (a classifier or a head detector, the kind
 * configured), at the thresholds, input size and (head detector) flip its labels.json gives.
 */
function baseline(dir: string): (l: LoadedConfig) => void {
  const labels = JSON.parse(readFileSync(join(dir, 'labels.json'), 'utf8')) as { model: string; kind?: string; input: { shape: [string, number, number, number] }; threshold: number; helmet_threshold: number; flip?: boolean };
  return (l) => {
    const h = l.config.models.helmet;
    const kind = labels.kind ?? 'classifier';
    if (h.type !== kind) throw new Error(`eval: --baseline ${dir} holds a ${kind}, the configured helmet model is a ${h.type}`);
    if (h.type === 'detector') throw new Error('eval: --baseline takes a classifier or a head detector, not a helmet detector');
    const [, , height, width] = labels.input.shape;
    const common = { path: join(dir, labels.model), threshold: labels.threshold, helmet_threshold: labels.helmet_threshold, input: { ...h.input, width, height } };
    l.config.models.helmet = h.type === 'head_detector' ? { ...h, ...common, flip: labels.flip ?? false } : { ...h, ...common };
  };
}

function config(edit: (l: LoadedConfig) => void = () => {}): LoadedConfig {
  const loaded = loadConfig(configFile, { env: { ...process.env, ROADSIDE_MODELS_DIR: modelsDir } });
  loaded.modelsDir = modelsDir;
  edit(loaded);
  return loaded;
}

const t = new Table();
const sets: HelmetChainSets = { mediaDir, framesDir, split, table: t };
const helmetChain = (name: string, d: InThreadDetector, cfg: LoadedConfig, seen?: (a: FrameAnalysis) => void) => evalChain(sets, name, d, cfg, seen);

/** Step ms summed over the shipped chain's helmet frames (a frame's `timings`), and their count. */
const steps = { ms: {} as Record<string, number>, frames: 0 };
const timeSteps = (a: FrameAnalysis): void => {
  steps.frames++;
  for (const [k, v] of Object.entries(a.timings)) steps.ms[k] = (steps.ms[k] ?? 0) + v;
};

/** Mean ms per frame of each step, model time and our own pre/post-processing. */
function stepReport(): Record<string, number> {
  const n = Math.max(steps.frames, 1);
  const mean = (v: number): number => Math.round((v / n) * 100) / 100;
  const { model, own } = splitTimings(steps.ms);
  return { ...Object.fromEntries(Object.keys(steps.ms).sort().map((k) => [k, mean(steps.ms[k]!)])), model_total: mean(model), own_pre_post: mean(own) };
}

async function riderRows(d: InThreadDetector, name: string): Promise<void> {
  for (const file of ['in/nhutanh_1.mp4_186.jpg', 'vn/huyhoanlee_test.jpg']) {
    if (!existsSync(join(mediaDir, file))) continue;
    const a = await d.analyze(await loadImageFrame(join(mediaDir, file)));
    const rs = a.motorcycles.flatMap((m) => m.riders);
    t.row(`${file}: ${name}`, `${a.motorcycles.length} motorcycles, ${rs.length} riders`, rs.map((r) => `${r.helmet.verdict} ${r.helmet.noHelmetScore.toFixed(2)}`).join(', ') || '-', '');
  }
}

function plateRows(name: string, r: PlateEvalResult): void {
  for (const [region, x] of Object.entries(r.plates)) {
    t.row(`openalpr ${region} (${x.n} plates): ${name} chain`, r.chain, `found ${x.found}, exact ${x.exact}, folded ${x.exact_folded}, exact with label errors corrected ${x.exact_labels_corrected}`, `${pct(x.exact, x.n)}, ${x.ms_per_plate} ms/plate`);
  }
  const m = r.moto_plates;
  t.row(`moto-plates (${m.n}, ${m.two_row} two-row): ${name} chain`, r.chain, `found ${m.found}, exact ${m.exact}, two-row exact ${m.exact_two_row}`, `${pct(m.exact, m.n)}, ${m.ms_per_motorcycle} ms/motorcycle`);
}

async function main(): Promise<void> {
  if (!existsSync(join(modelsDir, 'coco/yolox_nano.onnx')) || !existsSync(mediaDir)) {
    console.error(`eval: models or media not found (${modelsDir}, ${mediaDir}); set --models / --media`);
    process.exitCode = 2;
    return;
  }
  const loaded = config();
  // The plate chains run through evalPlates' own detectors; these two read plates as the agent does.
  const shipped = await createDetector(loaded, silentLogger());
  const oldConfig = !flag('--no-compare') && existsSync(join(modelsDir, 'helmet/helmet_cls.onnx')) ? config(provisional) : null;
  const old = oldConfig ? await createDetector(oldConfig, silentLogger()) : null;
  const classifierConfig = !flag('--no-compare') && loaded.config.models.helmet.type !== 'classifier' ? config(classifierRelease) : null;
  const classifier = classifierConfig ? await createDetector(classifierConfig, silentLogger()) : null;
  const baselineDir = arg('--baseline');
  const baseConfig = baselineDir ? config(baseline(resolve(baselineDir))) : null;
  const base = baseConfig ? await createDetector(baseConfig, silentLogger()) : null;
  const report: Record<string, unknown> = { media: mediaDir, frames: existsSync(framesDir) ? `${framesDir} (${split})` : null, config: configFile, models: shipped.modelIds, riders: loaded.config.models.riders };
  try {
    Object.assign(report, await helmetChain('shipped', shipped, loaded, timeSteps));
    report.ms_per_frame = { frames: steps.frames, ...stepReport() };
    await riderRows(shipped, 'shipped');
    if (classifier && classifierConfig) {
      report.classifier = { models: classifier.modelIds, riders: classifierConfig.config.models.riders, ...(await helmetChain('classifier', classifier, classifierConfig)) };
      await riderRows(classifier, 'classifier');
    }
    if (base && baseConfig) {
      report.baseline = { models: base.modelIds, riders: baseConfig.config.models.riders, dir: resolve(baselineDir!), ...(await helmetChain('baseline', base, baseConfig)) };
      await riderRows(base, 'baseline');
    }
    if (old && oldConfig) {
      report.provisional = { models: old.modelIds, riders: oldConfig.config.models.riders, ...(await helmetChain('provisional', old, oldConfig)) };
      await riderRows(old, 'provisional');
    } else t.note('the provisional helmet classifier (helmet/helmet_cls.onnx) is not in the models directory: no comparison');
    if (!flag('--no-plates')) {
      const chains: Array<['new' | 'old', PlateEvalResult]> = [['new', await evalPlates({ mediaDir, modelsDir })]];
      if (!flag('--no-compare')) chains.push(['old', await evalPlates({ mediaDir, modelsDir, chain: 'old' })]);
      for (const [name, r] of chains) plateRows(name, r);
      const [, shippedPlates] = chains[0]!;
      Object.assign(report, { plates: shippedPlates.plates, moto_plates: shippedPlates.moto_plates, plate_repairs: shippedPlates.repairs });
      const previous = chains[1]?.[1];
      if (previous) report.provisional_plates = { chain: previous.chain, plates: previous.plates, moto_plates: previous.moto_plates };
    }
  } finally {
    await Promise.all([shipped.close(), old?.close(), base?.close(), classifier?.close()]);
  }
  t.print();
  console.log(`\nshipped chain, mean ms per frame over its ${steps.frames} helmet frames (photos of many sizes; plates of suspect motorcycles only):`);
  for (const [k, v] of Object.entries(stepReport())) console.log(`  ${k.padEnd(16)} ${v.toFixed(2)}`);
  if (jsonOut) {
    writeFileSync(resolve(jsonOut), `${JSON.stringify(report, null, 2)}\n`);
    console.log(`\neval: wrote ${resolve(jsonOut)}`);
  }
}

await main();
