// The small grey copy motion works on, its mask, and a 3×3 dilation. Pure typed-array code.
import type { RgbFrame } from './motion.js';

/**
 * Packed RGB24 → grey (BT.601 luma) at `w` × `h` by averaging each cell over a 2×2 grid of
 * samples (every pixel of cells up to 2×2; of an 8×8 cell, the pixels at 0 and 4 of rows 0
 * and 4). The average is the blur that takes out sensor noise; 4 samples of 64 keep it cheap
 * (bench/motion.ts: 1280x720 → 160x90 in ~1 ms instead of ~3 with 16 samples).
 */
export function downscaleGrey(frame: RgbFrame, w: number, h: number, out: Uint8Array): void {
  const { width, height, data } = frame;
  const stepX = Math.max(1, Math.floor(width / w / 2));
  const stepY = Math.max(1, Math.floor(height / h / 2));
  for (let y = 0; y < h; y++) {
    const sy0 = Math.floor((y * height) / h);
    const sy1 = Math.max(sy0 + 1, Math.floor(((y + 1) * height) / h));
    for (let x = 0; x < w; x++) {
      const sx0 = Math.floor((x * width) / w);
      const sx1 = Math.max(sx0 + 1, Math.floor(((x + 1) * width) / w));
      let sum = 0;
      let n = 0;
      for (let sy = sy0; sy < sy1; sy += stepY) {
        let p = (sy * width + sx0) * 3;
        for (let sx = sx0; sx < sx1; sx += stepX, p += 3 * stepX) {
          sum += 77 * data[p]! + 150 * data[p + 1]! + 29 * data[p + 2]!;
          n++;
        }
      }
      out[y * w + x] = Math.round(sum / (n * 256));
    }
  }
}

/** 1 where motion counts, 0 inside any of the polygons (normalised 0..1 points), at `w` × `h`. */
export function rasterizeMask(polygons: ReadonlyArray<ReadonlyArray<readonly [number, number]>>, w: number, h: number): Uint8Array {
  const mask = new Uint8Array(w * h).fill(1);
  for (const poly of polygons) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) if (insidePolygon((x + 0.5) / w, (y + 0.5) / h, poly)) mask[y * w + x] = 0;
    }
  }
  return mask;
}

/** Even-odd rule. */
export function insidePolygon(px: number, py: number, poly: ReadonlyArray<readonly [number, number]>): boolean {
  let inside = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [xi, yi] = poly[i]!;
    const [xj, yj] = poly[j]!;
    if (yi > py !== yj > py && px < ((xj - xi) * (py - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** 3×3 binary dilation: joins changed pixels one pixel apart into one area. */
export function dilate3(src: Uint8Array, w: number, h: number, out: Uint8Array): void {
  for (let y = 0; y < h; y++) {
    const y0 = y > 0 ? y - 1 : 0;
    const y1 = y < h - 1 ? y + 1 : h - 1;
    for (let x = 0; x < w; x++) {
      const x0 = x > 0 ? x - 1 : 0;
      const x1 = x < w - 1 ? x + 1 : w - 1;
      let on = 0;
      for (let yy = y0; yy <= y1 && !on; yy++) for (let xx = x0; xx <= x1; xx++) if (src[yy * w + xx]) { on = 1; break; }
      out[y * w + x] = on;
    }
  }
}
