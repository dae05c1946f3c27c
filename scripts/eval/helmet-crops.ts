// The helmet classifier alone on labelled head crops (`labels.csv`: file,label,…; the whole
// crop is the head region).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { InThreadDetector } from '../../src/detect/detector.js';
import { loadImageFrame } from '../../src/detect/image.js';
import type { Counts } from './table.js';

export interface HelmetCropsResult {
  n: number;
  helmet: number;
  bare: number;
  threshold: number;
  no_helmet: Counts;
  /** P(no_helmet) and the label of every crop, for other thresholds. */
  scored: Array<{ p: number; bare: boolean }>;
}

export async function evalHelmetCrops(d: InThreadDetector, dir: string, threshold: number): Promise<HelmetCropsResult | null> {
  const csv = join(dir, 'labels.csv');
  if (!existsSync(csv)) return null;
  const scored: Array<{ p: number; bare: boolean }> = [];
  for (const line of readFileSync(csv, 'utf8').trim().split(/\r?\n/).slice(1)) {
    const [file, label] = line.split(',');
    if (!file || (label !== 'helmet' && label !== 'no_helmet')) continue;
    const f = await loadImageFrame(join(dir, file));
    const [p] = (await d.scoreHeads(f, [{ x1: 0, y1: 0, x2: f.width, y2: f.height }])) ?? [];
    if (p === undefined) return null;
    scored.push({ p, bare: label === 'no_helmet' });
  }
  return { n: scored.length, helmet: scored.filter((s) => !s.bare).length, bare: scored.filter((s) => s.bare).length, threshold, no_helmet: countsAt(scored, threshold), scored };
}

export function countsAt(scored: ReadonlyArray<{ p: number; bare: boolean }>, t: number): Counts {
  return {
    tp: scored.filter((s) => s.bare && s.p >= t).length,
    fp: scored.filter((s) => !s.bare && s.p >= t).length,
    fn: scored.filter((s) => s.bare && s.p < t).length,
  };
}
