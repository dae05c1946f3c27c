// Image files → Frames (the detect verb, the evaluation and tests). Not on the camera path:
// frames from ffmpeg are already RGB24.
import { loadSharp } from '../evidence/sharp.js';
import { AgentError, describeError } from '../shared/errors.js';
import type { Frame } from '../shared/types.js';

/**
 * Decodes any image sharp reads (JPEG, PNG incl. 16-bit and RGBA, WebP…) to packed 8-bit RGB.
 * Alpha is flattened onto black; EXIF orientation is applied. Throws RSA_FRAME_INVALID naming
 * the file.
 */
export async function loadImageFrame(file: string, seq = 0, capturedAt = Date.now()): Promise<Frame> {
  try {
    const sharp = await loadSharp();
    const { data, info } = await sharp(file)
      .rotate()
      .flatten({ background: '#000000' })
      .toColourspace('srgb')
      .removeAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels, expected 3`);
    return { seq, width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), capturedAt };
  } catch (err) {
    throw new AgentError('RSA_FRAME_INVALID', `${file}: cannot decode image: ${describeError(err)}`, { cause: err });
  }
}
