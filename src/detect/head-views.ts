// A head detector's region seen twice, as it is and mirrored left to right, and the two views'
// heads merged: test-time augmentation by flipping, which the recipe calibrates and chooses its
// threshold with (training/helmet/heads_judge.py, on unless `--no-flip`), so both read a region
// the same way.
// A head both views found is one head: its box the mean of the two, its presence the higher, its
// P(no_helmet) from the mean of the two views' class logits. A head one view alone found is kept
// as that view saw it.
import { iou } from '../shared/box.js';
import type { FoundHead } from './head-detector.js';
import { tensorElements, type TensorSpec } from './preprocess.js';

/** IoU at or above which a head of each view is taken as the same head. */
export const SAME_HEAD_IOU = 0.5;

/** Writes batch item `from` of `buffer`, mirrored left to right, into batch item `to`. */
export function mirrorInto(buffer: Float32Array | Uint8Array, spec: TensorSpec, from: number, to: number): void {
  const w = spec.width;
  const per = tensorElements(spec);
  const src = from * per;
  const dst = to * per;
  if (spec.layout === 'nchw') {
    for (let row = 0; row < 3 * spec.height; row++) {
      const o = row * w;
      for (let x = 0; x < w; x++) buffer[dst + o + x] = buffer[src + o + w - 1 - x]!;
    }
    return;
  }
  for (let y = 0; y < spec.height; y++) {
    const o = y * w * 3;
    for (let x = 0; x < w; x++) for (let c = 0; c < 3; c++) buffer[dst + o + x * 3 + c] = buffer[src + o + (w - 1 - x) * 3 + c]!;
  }
}

/** Output rows of a mirrored input as rows of the unmirrored one (cx → size − cx), as a copy. */
export function unmirrorRows(rows: Float32Array, size: number, rowLength: number): Float32Array {
  const out = rows.slice();
  for (let p = 0; p < out.length; p += rowLength) out[p] = size - out[p]!;
  return out;
}

const logit = (p: number): number => Math.log(Math.max(p, 1e-7) / Math.max(1 - p, 1e-7));

/** The heads of both views (each suppressed on its own), merged; surest pairs matched first. */
export function mergeViews(plain: readonly FoundHead[], mirrored: readonly FoundHead[]): FoundHead[] {
  const used = new Set<number>();
  const out: FoundHead[] = [];
  for (const h of plain) {
    let match = -1;
    let best = SAME_HEAD_IOU;
    mirrored.forEach((g, j) => {
      const v = iou(h, g);
      if (!used.has(j) && v >= best) {
        best = v;
        match = j;
      }
    });
    if (match < 0) {
      out.push(h);
      continue;
    }
    used.add(match);
    const g = mirrored[match]!;
    const mean = (logit(h.noHelmet) + logit(g.noHelmet)) / 2;
    out.push({
      x1: (h.x1 + g.x1) / 2,
      y1: (h.y1 + g.y1) / 2,
      x2: (h.x2 + g.x2) / 2,
      y2: (h.y2 + g.y2) / 2,
      score: Math.max(h.score, g.score),
      classId: 0,
      noHelmet: 1 / (1 + Math.exp(-mean)),
    });
  }
  mirrored.forEach((g, j) => used.has(j) || out.push(g));
  return out.sort((a, b) => b.score - a.score);
}
