// Plate evaluation end to end through the pipeline's own code (scene detector → plate stage:
// locator, reader, formats) on ../shared/media: openalpr car plates (eu, br, us) and the
// motorcycle plates of moto-plates/. `evalPlates()` gives the JSON for the evaluation report;
// run alone it prints the old chain (PP-OCR det + v1 reader, no formats) beside the new one:
//   npx tsx scripts/eval-plates.ts [--media DIR] [--models DIR] [--json FILE]
//   npx tsx scripts/eval-plates.ts --cctv-only [--rounds N]   (only the two chains alternated on the CCTV frames)
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadImageFrame } from '../src/detect/image.js';
import { chainConfig, motoPlates, openalpr, Run, type Chain, type RepairCounts } from './eval-plates-run.js';
import { correctedPlate } from './eval/plate-errata.js';

export type { Chain, RepairCounts } from './eval-plates-run.js';

const root = resolve(import.meta.dirname, '..');

export interface RegionResult {
  n: number;
  found: number;
  exact: number;
  exact_folded: number;
  /** Exact against the labels with the ones their picture contradicts corrected (scripts/eval/plate-errata.ts). */
  exact_labels_corrected: number;
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
  /** Plate-stage cost per motorcycle on two real CCTV frames (1920×1080 and 1280×720), with config.json's plates.whole_frame (as the agent runs). */
  cctv?: { motorcycles: number; ms_per_motorcycle: number; detector_runs_per_frame: number | null };
}
export interface PlateEvalResult {
  chain: string;
  plates: Record<'eu' | 'br' | 'us', RegionResult>;
  moto_plates: MotoResult;
  repairs: RepairCounts;
  /** Plates not read exactly, with what the pipeline located and read there (raw → final). */
  misses: string[];
}
const r1 = (v: number): number => Math.round(v * 10) / 10;

async function evalOpenalpr(mediaDir: string, run: Run, region: string): Promise<RegionResult> {
  const gts = openalpr(mediaDir, region);
  const ms0 = run.plateMs;
  const out = { n: gts.length, found: 0, exact: 0, exact_folded: 0, exact_labels_corrected: 0, ms_per_plate: 0 };
  const files = [...new Set(gts.map((g) => g.file))];
  for (const file of files) {
    const seen = await run.analyze(await loadImageFrame(file));
    for (const g of gts.filter((x) => x.file === file)) {
      const s = run.score(g, seen);
      out.found += Number(s.found);
      out.exact += Number(s.exact);
      out.exact_folded += Number(s.folded);
      const fixed = correctedPlate(file, g.text);
      out.exact_labels_corrected += Number(fixed === null ? s.exact : s.finals.includes(fixed));
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
  } finally {
    await motos.close();
  }
  // The cost per motorcycle as the agent runs: config.json's own whole-frame setting.
  const agent = await Run.open(chainConfig(options.modelsDir, chain, false, true));
  try {
    moto.cctv = await cctvCost(options.mediaDir, agent);
  } finally {
    await agent.close();
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
    row('', ...by.map((x) => `exact, label errors corrected ${pct(x.exact_labels_corrected, x.n)}`));
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
  row('re-reads (margin, windows of a tall box)', ...rp.map((x) => `${x.reread} weak reads: ${x.reread_kept} kept, fixed ${x.reread_fixed}, broke ${x.reread_broke}`));
  return lines.join('\n');
}

/** Both chains on the CCTV frames in alternation (the box's load hits both alike): plate ms per motorcycle. */
async function pairedCctv(mediaDir: string, modelsDir: string, rounds = 7): Promise<string> {
  const runs = { old: await Run.open(chainConfig(modelsDir, 'old', false, true)), new: await Run.open(chainConfig(modelsDir, 'new', false, true)) };
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
  if (process.argv.includes('--cctv-only')) {
    console.log(await pairedCctv(mediaDir, modelsDir, Number(arg('--rounds') ?? 7)));
    return;
  }
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
