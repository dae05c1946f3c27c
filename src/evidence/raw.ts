import type { Box, RgbPicture } from '../shared/types.js';
import { pixelBox } from '../shared/box.js';

/** A packed RGB24 image (a frame, or a crop of one). */
export type RawImage = RgbPicture;

/** Copies the pixels of `box` (clipped to the image, whole pixels) into a new image. */
export function cropRaw(image: RawImage, box: Box): RawImage {
  const b = pixelBox(box, image.width, image.height);
  const w = b.x2 - b.x1;
  const h = b.y2 - b.y1;
  const out = new Uint8Array(w * h * 3);
  const rowBytes = w * 3;
  for (let y = 0; y < h; y++) {
    const src = ((b.y1 + y) * image.width + b.x1) * 3;
    out.set(image.data.subarray(src, src + rowBytes), y * rowBytes);
  }
  return { width: w, height: h, data: out };
}

/** An owned copy: frame buffers may be reused by their source once the frame is handed on. */
export function copyRaw(image: RawImage): RawImage {
  return { width: image.width, height: image.height, data: image.data.slice() };
}
