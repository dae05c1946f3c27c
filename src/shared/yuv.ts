// The camera-resolution plate picture (camera.plate_pixels) arrives as planar yuv420p; the plate
// models and the evidence take packed RGB24. Converting a whole 1080p picture costs ~16 ms of JS,
// so callers convert only the rectangles they read. BT.601 limited range, the matrix of ffmpeg's
// own yuv420p → rgb24 by default.
import { pixelBox } from './box.js';
import type { Box, RgbPicture, YuvPicture } from './types.js';

export function yuvBytes(width: number, height: number): number {
  return width * height + 2 * (Math.ceil(width / 2) * Math.ceil(height / 2));
}

const clamp = (v: number): number => (v < 0 ? 0 : v > 255 ? 255 : v);

/**
 * Converts the pixels of `rect` (whole pixels, inside the picture) to packed RGB24 in `out`, whose
 * rows are `stride` pixels wide and whose first pixel is the picture's (`x0`, `y0`).
 */
export function convertYuvRect(src: YuvPicture, rect: Box, out: Uint8Array, stride: number, x0: number, y0: number): void {
  const { width: w, height: h, data } = src;
  const cw = Math.ceil(w / 2);
  const uOff = w * h;
  const vOff = uOff + cw * Math.ceil(h / 2);
  for (let y = rect.y1; y < rect.y2; y++) {
    const row = y * w;
    const crow = (y >> 1) * cw;
    let o = ((y - y0) * stride + rect.x1 - x0) * 3;
    for (let x = rect.x1; x < rect.x2; x++) {
      const c = (data[row + x]! - 16) * 298 + 128;
      const u = data[uOff + crow + (x >> 1)]! - 128;
      const v = data[vOff + crow + (x >> 1)]! - 128;
      out[o++] = clamp((c + 409 * v) >> 8);
      out[o++] = clamp((c - 100 * u - 208 * v) >> 8);
      out[o++] = clamp((c + 516 * u) >> 8);
    }
  }
}

/** The pixels of `box` (clipped, whole pixels) as a new packed RGB24 image: a plate's evidence crop. */
export function cropYuvToRgb(src: YuvPicture, box: Box): RgbPicture {
  const b = pixelBox(box, src.width, src.height);
  const w = b.x2 - b.x1;
  const out = new Uint8Array(w * (b.y2 - b.y1) * 3);
  convertYuvRect(src, b, out, w, b.x1, b.y1);
  return { width: w, height: b.y2 - b.y1, data: out };
}

