// RGB of the plate pictures (camera.plate_pixels) where the plate stage reads them: only the
// search regions of the wanted vehicles are converted from yuv420p, into one buffer of the
// picture's size reused frame after frame (its untouched pages cost no memory).
import { pixelBox } from '../shared/box.js';
import type { Box, YuvPicture } from '../shared/types.js';
import { convertYuvRect } from '../shared/yuv.js';
import type { RgbImage } from './preprocess.js';

/**
 * An RGB view of plate pictures that converts only the regions asked for. Pixels outside them
 * are stale (an earlier picture's) or zero: read only inside the regions given to `view`.
 */
export class PlatePixels {
  private buffer: Uint8Array | null = null;
  /** Pixels converted so far (the cost measure). */
  converted = 0;

  /** `src` as RGB24, converted inside `regions` (clipped to the picture, whole pixels). */
  view(src: YuvPicture, regions: readonly Box[]): RgbImage {
    const bytes = src.width * src.height * 3;
    if (this.buffer?.length !== bytes) this.buffer = new Uint8Array(bytes);
    for (const r of regions) {
      const b = pixelBox(r, src.width, src.height);
      convertYuvRect(src, b, this.buffer, src.width, 0, 0);
      this.converted += (b.x2 - b.x1) * (b.y2 - b.y1);
    }
    return { width: src.width, height: src.height, data: this.buffer };
  }
}
