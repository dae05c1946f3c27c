// What ffmpeg says about the picture, run after run (stream-info.ts reads it from stderr): the
// camera's own size, told to the operator when it changes, and the output size, checked against
// the detect size that frames are cut at (and the plate picture's, when there is one).
import type { Logger } from 'pino';
import type { Size, StreamSizes } from './stream-info.js';

export class StreamGeometry {
  private input: Size | null = null;

  constructor(
    /** The detect size: what ffmpeg scales to, and the size of every frame cut from its pipe. */
    private readonly detect: Size,
    private readonly log: Logger,
    /** The plate picture's size, when ffmpeg writes one (camera.plate_pixels). */
    private readonly plate: Size | null = null,
  ) {}

  /** The camera's own picture size, as ffmpeg last reported it (null until known). */
  get inputSize(): Size | null {
    return this.input;
  }

  /** Takes the sizes one stderr line described; false when ffmpeg's output is not the detect size (restart it). */
  update(sizes: StreamSizes): boolean {
    if (sizes.input) this.takeInput(sizes.input);
    return this.check(sizes.output, this.detect, 'the detect size') && this.check(sizes.plate, this.plate, 'camera.plate_pixels');
  }

  private check(out: Size | undefined, want: Size | null, what: string): boolean {
    if (!out || !want || (out.width === want.width && out.height === want.height)) return true;
    // Cannot happen with a fixed scale target; if it ever does, every frame would be cut wrong.
    this.log.error(
      { event: 'capture_size_mismatch', error_type: 'RSA_FRAME_INVALID', expected: `${want.width}x${want.height}`, got: `${out.width}x${out.height}` },
      `ffmpeg output size differs from ${what}: restarting it`,
    );
    return false;
  }

  private takeInput(size: Size): void {
    const prev = this.input;
    if (prev && (prev.width !== size.width || prev.height !== size.height)) {
      this.log.info(
        { event: 'camera_resolution_changed', from: `${prev.width}x${prev.height}`, to: `${size.width}x${size.height}` },
        'camera resolution changed; frames are still scaled to the detect size',
      );
    }
    this.input = size;
  }
}
