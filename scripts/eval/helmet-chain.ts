// One helmet chain's evaluation: the labelled frames (bikeshelmets' VOC frames, the helmet-frames
// split), the helmet crops and the street CCTV scenes, each frame set scanned whole (as the
// labelled sets were drawn) and in tiles (as `detect` does, like live regions), printed as rows
// of the table and returned for the JSON report.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { LoadedConfig } from '../../src/config/load.js';
import { createDetector, type InThreadDetector } from '../../src/detect/detector.js';
import { silentLogger } from '../../src/shared/logger.js';
import type { FrameAnalysis } from '../../src/shared/types.js';
import { countsAt, evalHelmetCrops, type HelmetCropsResult } from './helmet-crops.js';
import { evalHelmetFrames, MISS_REASONS, vocFrames, yoloFrames, type HelmetFramesResult, type LabelledFrame } from './helmet-frames.js';
import { evalHelmetedScenes, type HelmetedScenesResult } from './helmeted-scenes.js';
import { fmt, pct, precision, recall, type Table } from './table.js';

/**
 * The rider association (config models.riders thresholds) the classifier shipped with, chosen on
 * val for it; config.json's is chosen for the head detector.
 */
export const CLASSIFIER_RIDER_THRESHOLDS = { vehicle_score_threshold: 0.15, person_score_threshold: 0.2 } as const;

export interface HelmetChainSets {
  mediaDir: string;
  /** A YOLO-layout frame set and the split of it to evaluate (skipped when absent). */
  framesDir: string;
  split: string;
  table: Table;
}

type Tiled<T> = T & { tiles: T };

export interface HelmetReport {
  helmet_frames: Tiled<HelmetFramesResult>;
  helmet_frames_val: Tiled<HelmetFramesResult> | null;
  helmet_crops: { n: number; threshold: number; no_helmet: { tp: number; fp: number; fn: number } } | null;
  helmeted_scenes: Tiled<HelmetedScenesResult> | null;
}

const MODES = ['whole frame', 'tiles (as detect, like live regions)'] as const;

/** The threshold a helmet chain's crops are counted at (a detector's score has no crop threshold: 0.5). */
function cropThreshold(l: LoadedConfig): number {
  const h = l.config.models.helmet;
  return h.type === 'detector' ? 0.5 : h.threshold;
}

/** Bare heads of riders or within a rider's reach: every bare head but those of persons not taken as riders (pedestrians, riders of a two-wheeler not found) or of no person box. */
function inReach(r: HelmetFramesResult): number {
  return r.bare_heads - r.missed.person_not_rider - r.missed.no_person;
}

function frameRows(t: Table, title: string, mode: string, r: HelmetFramesResult): void {
  t.row(title, `heads covered by a rider head crop, ${mode}`, `${r.covered}/${r.heads}`, pct(r.covered, r.heads));
  t.row('', 'verdict right, per labelled head', `${r.right}/${r.heads}`, pct(r.right, r.heads));
  t.row('', 'no_helmet per labelled head', `tp ${r.no_helmet.tp} fp ${r.no_helmet.fp} fn ${r.no_helmet.fn}`, `P ${fmt(precision(r.no_helmet))} R ${fmt(recall(r.no_helmet))}`);
  t.row('', 'no_helmet missed, why', MISS_REASONS.filter((k) => r.missed[k] > 0).map((k) => `${k} ${r.missed[k]}`).join(', ') || 'none', '');
  const reach = inReach(r);
  t.row('', 'no_helmet, bare heads within reach', `tp ${r.no_helmet.tp} of ${reach} (not counting person_not_rider, no_person)`, `R ${fmt(r.no_helmet.tp / Math.max(reach, 1))}`);
  if (r.pedestrian_bare_heads > 0) {
    const riders = r.bare_heads - r.pedestrian_bare_heads;
    const tp = r.no_helmet.tp - r.pedestrian_no_helmet;
    t.row('', "no_helmet per rider's bare head", `tp ${tp} of ${riders} (${r.pedestrian_bare_heads} bare heads of people on foot left out, ${r.pedestrian_no_helmet} of them judged no_helmet)`, `R ${fmt(tp / Math.max(riders, 1))}`);
  }
  t.row('', 'found', `${r.persons} persons, ${r.riders} of them riders (${r.rider_heads} heads judged), ${r.frames_without_vehicle} frames without a vehicle`, '');
}

function cropRows(t: Table, name: string, c: HelmetCropsResult): void {
  // The model's own threshold, and 0.5 beside it unless that is the same.
  for (const th of new Set([c.threshold, 0.5])) {
    const k = countsAt(c.scored, th);
    t.row(th === c.threshold ? `helmet crops (${c.helmet} helmet, ${c.bare} no_helmet): ${name}` : '', `classifier alone, no_helmet at p >= ${th}`, `tp ${k.tp} fp ${k.fp} fn ${k.fn}`, `P ${fmt(precision(k))} R ${fmt(recall(k))}`);
  }
}

/** A labelled frame set in both modes (`seen` gets the whole-frame analyses), with its rows. */
async function frameSet(s: HelmetChainSets, title: string, frames: readonly LabelledFrame[], whole: InThreadDetector, tiled: InThreadDetector, seen?: (a: FrameAnalysis) => void): Promise<Tiled<HelmetFramesResult>> {
  const r = await evalHelmetFrames(whole, frames, seen);
  const tiles = await evalHelmetFrames(tiled, frames);
  frameRows(s.table, `${title} (${r.frames} frames, ${r.heads} heads, ${r.bare_heads} bare)`, MODES[0], r);
  frameRows(s.table, '', MODES[1], tiles);
  return { ...r, tiles };
}

/** Evaluates the chain `d` runs (built from `cfg`), whole frame and in tiles; `seen` gets every whole-frame analysis of the labelled frames. */
export async function helmetChain(s: HelmetChainSets, name: string, d: InThreadDetector, cfg: LoadedConfig, seen?: (a: FrameAnalysis) => void): Promise<HelmetReport> {
  const t = s.table;
  const tiled = await createDetector(cfg, silentLogger(), { scan: 'tiles' });
  try {
    const voc = vocFrames(join(s.mediaDir, 'bikeshelmets'), (m) => t.note(`bad input: ${m}`));
    const frames = await frameSet(s, `bikeshelmets: ${name}`, voc, d, tiled, seen);
    const hasSplit = existsSync(join(s.framesDir, 'images', s.split));
    const val = hasSplit ? await frameSet(s, `helmet-frames ${s.split}: ${name}`, yoloFrames(s.framesDir, s.split), d, tiled, seen) : null;
    const crops = await evalHelmetCrops(d, join(s.mediaDir, 'helmet-crops'), cropThreshold(cfg));
    if (crops) cropRows(t, name, crops);
    const scenes = await evalHelmetedScenes(d, s.mediaDir, cfg.config.rules);
    const scenesTiled = await evalHelmetedScenes(tiled, s.mediaDir, cfg.config.rules);
    for (const [mode, r] of [[MODES[0], scenes], [MODES[1], scenesTiled]] as const) {
      if (r) t.row(mode === MODES[0] ? `street CCTV, every rider helmeted (${r.frames} frames): ${name}` : '', `riders judged no_helmet (false alarms), ${mode}`, `${r.no_helmet} of ${r.riders} riders, ${r.no_helmet_counted} of them big enough for the rules (unknown ${r.unknown})`, pct(r.no_helmet, r.riders));
    }
    const helmetedScenes = scenes && scenesTiled ? { ...scenes, tiles: scenesTiled } : null;
    return { helmet_frames: frames, helmet_frames_val: val, helmet_crops: crops && { n: crops.n, threshold: crops.threshold, no_helmet: crops.no_helmet }, helmeted_scenes: helmetedScenes };
  } finally {
    await tiled.close();
  }
}
