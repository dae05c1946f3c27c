// PP-OCR (DB) text detection post-processing: probability map → text-line boxes → plate
// candidates (two-row plates grouped into one). Pure; works in map pixels.
import type { Box } from '../shared/types.js';
import { boxHeight, boxWidth, unionBox } from '../shared/box.js';

export interface TextBox extends Box {
  /** Mean probability inside the component. */
  score: number;
}

export interface TextBoxOptions {
  /** Pixels with probability above this are text. */
  threshold: number;
  /** Components whose mean probability is below this are dropped. */
  boxThreshold: number;
  /** Components with fewer pixels are dropped. */
  minPixels: number;
  /** DB's unclip ratio: boxes grow by area × ratio / perimeter on each side. */
  unclipRatio: number;
  /** Only this part of the map holds the image (the rest is letterbox padding). */
  width: number;
  height: number;
}

/** Connected components (4-connected) of `map > threshold`, as unclipped boxes. */
export function textBoxes(map: Float32Array, mapWidth: number, o: TextBoxOptions): TextBox[] {
  const W = Math.min(o.width, mapWidth);
  const H = o.height;
  const label = new Uint8Array(W * H);
  const stack = new Int32Array(W * H);
  const out: TextBox[] = [];
  for (let y0 = 0; y0 < H; y0++) {
    for (let x0 = 0; x0 < W; x0++) {
      const i0 = y0 * W + x0;
      if (label[i0] || !(map[y0 * mapWidth + x0]! > o.threshold)) continue;
      let top = 0;
      stack[top++] = i0;
      label[i0] = 1;
      let minX = x0, maxX = x0, minY = y0, maxY = y0, sum = 0, count = 0;
      while (top > 0) {
        const i = stack[--top]!;
        const x = i % W;
        const y = (i - x) / W;
        sum += map[y * mapWidth + x]!;
        count++;
        if (x < minX) minX = x;
        if (x > maxX) maxX = x;
        if (y < minY) minY = y;
        if (y > maxY) maxY = y;
        const push = (nx: number, ny: number): void => {
          const j = ny * W + nx;
          if (!label[j] && map[ny * mapWidth + nx]! > o.threshold) {
            label[j] = 1;
            stack[top++] = j;
          }
        };
        if (x > 0) push(x - 1, y);
        if (x < W - 1) push(x + 1, y);
        if (y > 0) push(x, y - 1);
        if (y < H - 1) push(x, y + 1);
      }
      const score = sum / count;
      if (count < o.minPixels || score < o.boxThreshold) continue;
      const w = maxX + 1 - minX;
      const h = maxY + 1 - minY;
      const d = (w * h * o.unclipRatio) / (2 * (w + h));
      out.push({ x1: minX - d, y1: minY - d, x2: maxX + 1 + d, y2: maxY + 1 + d, score });
    }
  }
  return out;
}

export interface PlateCandidate {
  /** The whole plate (both rows of a two-row plate). */
  box: Box;
  /** Its text lines, top to bottom. */
  rows: TextBox[];
  score: number;
}

/** Two lines are rows of one plate when stacked, overlapping horizontally and close. */
function stacked(upper: Box, lower: Box): boolean {
  const overlap = Math.min(upper.x2, lower.x2) - Math.max(upper.x1, lower.x1);
  const narrower = Math.min(boxWidth(upper), boxWidth(lower));
  if (narrower <= 0 || overlap < 0.5 * narrower) return false;
  const gap = lower.y1 - upper.y2;
  const hMax = Math.max(boxHeight(upper), boxHeight(lower));
  const hMin = Math.min(boxHeight(upper), boxHeight(lower));
  return gap <= 0.6 * hMax && lower.y1 > upper.y1 + 0.5 * boxHeight(upper) && hMin >= 0.4 * hMax;
}

/**
 * Groups text lines into plate candidates (a line, or two stacked lines) and ranks them, best
 * first: confident, large, and near the horizontal centre of the searched region.
 */
export function plateCandidates(lines: readonly TextBox[], regionWidth: number): PlateCandidate[] {
  const sorted = [...lines].sort((a, b) => a.y1 - b.y1);
  const used = new Uint8Array(sorted.length);
  const out: PlateCandidate[] = [];
  for (let i = 0; i < sorted.length; i++) {
    if (used[i]) continue;
    const rows = [sorted[i]!];
    used[i] = 1;
    for (let j = i + 1; j < sorted.length && rows.length < 2; j++) {
      if (!used[j] && stacked(rows[rows.length - 1]!, sorted[j]!)) {
        rows.push(sorted[j]!);
        used[j] = 1;
      }
    }
    const box = unionBox(rows);
    const meanScore = rows.reduce((s, r) => s + r.score, 0) / rows.length;
    const cx = (box.x1 + box.x2) / 2;
    const centring = 1 - Math.min(1, Math.abs(cx - regionWidth / 2) / Math.max(regionWidth / 2, 1));
    const size = Math.sqrt(boxWidth(box) * boxHeight(box));
    out.push({ box, rows, score: meanScore * size * (0.5 + 0.5 * centring) });
  }
  return out.sort((a, b) => b.score - a.score);
}
