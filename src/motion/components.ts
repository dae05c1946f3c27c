// Connected changed areas of a binary image and the merging of their boxes. Pure.
import type { Box } from '../shared/types.js';

/**
 * Bounding boxes (x2/y2 exclusive, in the binary image's pixels) of the 8-connected areas of
 * `on` holding at least `minArea` pixels that are set in `counted` (default: `on` itself; the
 * motion detector joins areas on the dilated image but counts the undilated changed pixels,
 * so a lone noise pixel does not grow into a 3×3 area). Iterative flood fill.
 */
export function changedComponents(on: Uint8Array, w: number, h: number, minArea: number, counted: Uint8Array = on): Box[] {
  const seen = new Uint8Array(w * h);
  const stack = new Int32Array(w * h);
  const boxes: Box[] = [];
  for (let start = 0; start < on.length; start++) {
    if (!on[start] || seen[start]) continue;
    let top = 0;
    stack[top++] = start;
    seen[start] = 1;
    let area = 0;
    let x1 = w;
    let y1 = h;
    let x2 = -1;
    let y2 = -1;
    while (top > 0) {
      const i = stack[--top]!;
      const x = i % w;
      const y = (i - x) / w;
      area += counted[i]!;
      if (x < x1) x1 = x;
      if (x > x2) x2 = x;
      if (y < y1) y1 = y;
      if (y > y2) y2 = y;
      for (let dy = -1; dy <= 1; dy++) {
        const ny = y + dy;
        if (ny < 0 || ny >= h) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          if (nx < 0 || nx >= w) continue;
          const j = ny * w + nx;
          if (on[j] && !seen[j]) {
            seen[j] = 1;
            stack[top++] = j;
          }
        }
      }
    }
    if (area >= minArea) boxes.push({ x1, y1, x2: x2 + 1, y2: y2 + 1 });
  }
  return boxes;
}

/** Boxes that overlap or are within `gap` of each other, merged into their union until none do. */
export function mergeBoxes(boxes: readonly Box[], gap = 1): Box[] {
  const out = boxes.map((b) => ({ ...b }));
  let merged = true;
  while (merged) {
    merged = false;
    for (let i = 0; i < out.length && !merged; i++) {
      for (let j = i + 1; j < out.length; j++) {
        const a = out[i]!;
        const b = out[j]!;
        if (a.x1 - gap <= b.x2 && b.x1 - gap <= a.x2 && a.y1 - gap <= b.y2 && b.y1 - gap <= a.y2) {
          out[i] = { x1: Math.min(a.x1, b.x1), y1: Math.min(a.y1, b.y1), x2: Math.max(a.x2, b.x2), y2: Math.max(a.y2, b.y2) };
          out.splice(j, 1);
          merged = true;
          break;
        }
      }
    }
  }
  return out;
}
