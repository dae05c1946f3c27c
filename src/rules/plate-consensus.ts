// The plate of a track: the consensus of its reads, not the single highest score. One clear
// read of a wrong text must not beat several agreeing reads of the right one.
import { boxHeight, boxWidth } from '../shared/box.js';
import { editDistance, foldPlate } from '../plate/text.js';
import type { Box } from '../shared/types.js';

export interface PlateSample {
  readonly text: string;
  readonly confidence: number;
  readonly box: Box;
  readonly region?: string | null;
}

export interface PlateChoice {
  readonly text: string;
  /** Mean OCR confidence of the reads of the chosen text. */
  readonly confidence: number;
  /** Reads of the chosen text / reads in its cluster / all usable reads. */
  readonly votes: number;
  readonly clusterSize: number;
  readonly reads: number;
  /** The region of the heaviest read of the chosen text; null when none said one. */
  readonly region: string | null;
}

/** Reads shorter than this are fragments, not plates. */
export const MIN_PLATE_CHARS = 4;

/**
 * How much a read's size says about its reliability: a plate this tall (detect-size pixels)
 * or taller counts fully, a smaller one in proportion (floored so one tiny read still counts).
 */
export const FULL_WEIGHT_PLATE_HEIGHT_PX = 24;
export const FULL_WEIGHT_PLATE_WIDTH_PX = 64;

export function plateSizeFactor(box: Box): number {
  const f = Math.min(boxHeight(box) / FULL_WEIGHT_PLATE_HEIGHT_PX, boxWidth(box) / FULL_WEIGHT_PLATE_WIDTH_PX, 1);
  return Math.max(0.1, f);
}

export function plateWeight(sample: PlateSample): number {
  return Math.max(0, sample.confidence) * plateSizeFactor(sample.box);
}

/**
 * Clusters reads whose folded texts are within `maxDistance` edits of the cluster's heaviest
 * read, takes the cluster with the greatest summed weight (confidence × size factor), and in it
 * the most frequent exact text, ties broken by the higher mean confidence, then the longer text
 * (a dropped character is the commoner OCR slip), then the text.
 * Returns null when no read is usable.
 */
export function choosePlate(samples: readonly PlateSample[], maxDistance: number): PlateChoice | null {
  const usable = samples
    .filter((s) => s.text.length >= MIN_PLATE_CHARS && s.confidence > 0)
    .map((s) => ({ ...s, folded: foldPlate(s.text), weight: plateWeight(s) }))
    .sort((a, b) => b.weight - a.weight || (a.text < b.text ? -1 : a.text > b.text ? 1 : 0));
  if (usable.length === 0) return null;

  const clusters: Array<{ seed: string; members: typeof usable; weight: number }> = [];
  for (const s of usable) {
    const home = clusters.find((c) => editDistance(c.seed, s.folded, maxDistance) <= maxDistance);
    if (home) {
      home.members.push(s);
      home.weight += s.weight;
    } else clusters.push({ seed: s.folded, members: [s], weight: s.weight });
  }
  // Clusters are in order of their heaviest read, so a tie in summed weight goes to the best read.
  let best = clusters[0]!;
  for (const c of clusters) if (c.weight > best.weight) best = c;

  const byText = new Map<string, { count: number; confSum: number }>();
  for (const m of best.members) {
    const e = byText.get(m.text) ?? { count: 0, confSum: 0 };
    e.count += 1;
    e.confSum += m.confidence;
    byText.set(m.text, e);
  }
  let chosen: { text: string; count: number; mean: number } | null = null;
  for (const [text, e] of byText) {
    const mean = e.confSum / e.count;
    if (
      chosen === null ||
      e.count > chosen.count ||
      (e.count === chosen.count &&
        (mean > chosen.mean ||
          (mean === chosen.mean && (text.length > chosen.text.length || (text.length === chosen.text.length && text < chosen.text)))))
    )
      chosen = { text, count: e.count, mean };
  }
  const region = best.members.find((m) => m.text === chosen!.text && m.region)?.region ?? null;
  return { text: chosen!.text, confidence: chosen!.mean, votes: chosen!.count, clusterSize: best.members.length, reads: usable.length, region };
}
