// The plate stage's cost per motorcycle on the two real CCTV frames of scripts/eval-plates.ts,
// for several `models.plate_locator` settings run in alternation (the shared box's load hits
// each alike): plate ms per motorcycle (median over rounds), plate-detector runs per frame
// (exact), the plate texts read per frame (a setting must not lose plates), and where the time
// goes (plate.* steps). Settings are JSON overrides of the new chain's plate_locator. With
// --baseline DIR (a checkout of an older tree, e.g. `git archive main | tar -x -C DIR`, with
// node_modules), that tree's code and config.json run first, as the baseline of the ratios.
//   npx tsx bench/plate-locator.ts [--rounds 7] [--baseline DIR] [--variant '{"top":0.4}' ...] [--regions]
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type * as EvalRun from '../scripts/eval-plates-run.js';
import { loadImageFrame } from '../src/detect/image.js';
import type { Frame } from '../src/shared/types.js';
import { median } from './run-stats.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '7' },
    baseline: { type: 'string' },
    variant: { type: 'string', multiple: true, default: [] },
    regions: { type: 'boolean', default: false },
  },
});
const root = resolve(import.meta.dirname, '..');
const media = resolve(process.env.ROADSIDE_MEDIA_DIR ?? join(root, '../shared/media'));
const modelsDir = resolve(process.env.ROADSIDE_MODELS_DIR ?? join(root, '../shared/models'));
const FILES = ['vn/huyhoanlee_tr1_382.png', 'vn/huyhoanlee_test.jpg'];

interface Variant {
  name: string;
  run: EvalRun.Run;
  /** Plate ms per motorcycle, per frame, one per counted round. */
  ms: number[][];
  runs: number;
  frames: number;
  reads: string[];
  steps: Record<string, number[]>;
}

/** The new chain of the tree at `dir` (its own code and config.json), plate_locator overridden. */
async function open(dir: string, overrides: Record<string, unknown>): Promise<Variant> {
  const m = (await import(pathToFileURL(join(dir, 'scripts/eval-plates-run.ts')).href)) as typeof EvalRun;
  const loaded = m.chainConfig(modelsDir, 'new', false);
  Object.assign(loaded.config.models.plate_locator, overrides);
  const name = `${dir === root ? 'this tree' : dir}${Object.keys(overrides).length > 0 ? ` ${JSON.stringify(overrides)}` : ''}`;
  return { name, run: await m.Run.open(loaded), ms: FILES.map(() => []), runs: 0, frames: 0, reads: FILES.map(() => ''), steps: {} };
}

async function once(v: Variant, f: Frame, fi: number, counted: boolean): Promise<void> {
  const runs0 = v.run.d.plateStage.detectorRuns ?? 0;
  const a = await v.run.d.analyze(f);
  const plate = Object.entries(a.timings).filter(([k]) => k.startsWith('plate.'));
  v.reads[fi] = a.motorcycles.map((m) => m.plate?.text ?? '-').join(' ');
  if (!counted || a.motorcycles.length === 0) return;
  v.ms[fi]!.push(plate.reduce((s, [, x]) => s + x, 0) / a.motorcycles.length);
  v.runs += (v.run.d.plateStage.detectorRuns ?? 0) - runs0;
  v.frames++;
  for (const [k, x] of plate) (v.steps[k] ??= []).push(x / a.motorcycles.length);
}

async function main(): Promise<void> {
  const overrides = [{}, ...values.variant.map((s) => JSON.parse(s) as Record<string, unknown>)];
  const variants: Variant[] = [];
  if (values.baseline) variants.push(await open(resolve(values.baseline), {}));
  for (const o of overrides) variants.push(await open(root, o));
  const frames = await Promise.all(FILES.map((f) => loadImageFrame(join(media, f))));
  const rounds = Number(values.rounds);
  try {
    for (const [fi, f] of frames.entries()) {
      if (values.regions) {
        const a = await variants[0]!.run.d.analyze(f);
        const dims = a.motorcycles.map((m) => `${Math.round(m.motorcycle.box.x2 - m.motorcycle.box.x1)}x${Math.round(m.motorcycle.box.y2 - m.motorcycle.box.y1)}`);
        console.log(`${FILES[fi]} ${f.width}x${f.height}: ${dims.length} motorcycles ${dims.join(' ')}`);
      }
      for (let r = 0; r <= rounds; r++) for (const v of variants) await once(v, f, fi, r > 0); // round 0 warms
    }
  } finally {
    for (const v of variants) await v.run.close();
  }
  // As scripts/eval-plates.ts counts it: the mean over the two frames of each frame's median.
  const cost = (v: Variant): number => v.ms.reduce((s, xs) => s + median(xs), 0) / v.ms.length;
  const base = cost(variants[0]!);
  for (const v of variants) {
    const m = cost(v);
    const steps = Object.entries(v.steps).map(([k, xs]) => `${k} ${median(xs).toFixed(1)}`).join(', ');
    const perFrame = v.ms.map((xs) => median(xs).toFixed(1)).join(' / ');
    console.log(`${v.name}: ${m.toFixed(1)} ms/motorcycle (${perFrame}; ${(m / base).toFixed(2)} of the first), ${(v.runs / Math.max(v.frames, 1)).toFixed(1)} detector runs/frame`);
    console.log(`  ${steps}`);
    v.reads.forEach((r, i) => console.log(`  ${FILES[i]}: ${r}`));
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
