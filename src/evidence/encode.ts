import { createHash } from 'node:crypto';
import type { Evidence, EvidenceKind } from '../shared/types.js';
import type { RawImage } from './raw.js';
import { loadSharp } from './sharp.js';

export function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export interface EncodeOptions {
  quality: number;
  /** Crops smaller than this height are enlarged (nearest pixels are no help to a reader). */
  minHeight?: number;
  /** SVG composited over the image, the image's own size (not combined with `minHeight`). */
  overlay?: string;
}

/** One evidence JPEG from raw RGB24, with its sha256 and final size. */
export async function encodeEvidence(kind: EvidenceKind, image: RawImage, options: EncodeOptions): Promise<Evidence> {
  const sharp = await loadSharp();
  let pipeline = sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } });
  if (options.overlay) pipeline = pipeline.composite([{ input: Buffer.from(options.overlay), top: 0, left: 0 }]);
  let width = image.width;
  let height = image.height;
  if (!options.overlay && options.minHeight && image.height < options.minHeight) {
    const scale = options.minHeight / image.height;
    width = Math.max(1, Math.round(image.width * scale));
    height = options.minHeight;
    pipeline = pipeline.resize(width, height, { kernel: 'lanczos3' });
  }
  const jpeg = await pipeline.jpeg({ quality: options.quality, mozjpeg: false }).toBuffer();
  return { kind, jpeg, sha256: sha256Hex(jpeg), width, height };
}
