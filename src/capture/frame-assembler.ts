/**
 * Cuts ffmpeg's rawvideo byte stream into frames of exactly `frameBytes` bytes.
 *
 * Invariants: bytes are copied once, from the pipe chunk straight into the frame's own
 * buffer; nothing is allocated per chunk; a frame is emitted only when all of its bytes have
 * arrived, whatever the chunk boundaries (a chunk may end mid-frame, hold several frames, or
 * both). Frame buffers come from `acquire`, so the caller can recycle the buffers of frames
 * that nobody consumed.
 */
export class FrameAssembler {
  private current: Buffer | null = null;
  private filled = 0;

  constructor(
    readonly frameBytes: number,
    private readonly acquire: () => Buffer,
    private readonly emit: (frame: Buffer) => void,
  ) {
    if (!Number.isInteger(frameBytes) || frameBytes <= 0) throw new RangeError(`frameBytes must be a positive integer, got ${frameBytes}`);
  }

  push(chunk: Uint8Array): void {
    let offset = 0;
    const length = chunk.length;
    while (offset < length) {
      if (this.current === null) {
        this.current = this.acquire();
        if (this.current.length < this.frameBytes) throw new RangeError('acquired buffer is smaller than a frame');
      }
      const take = Math.min(length - offset, this.frameBytes - this.filled);
      this.current.set(chunk.subarray(offset, offset + take), this.filled);
      this.filled += take;
      offset += take;
      if (this.filled === this.frameBytes) {
        const frame = this.current;
        this.current = null;
        this.filled = 0;
        this.emit(frame);
      }
    }
  }

  /** Bytes of a frame begun but not finished. */
  get partialBytes(): number {
    return this.filled;
  }

  /** Forgets a partial frame (ffmpeg exited mid-frame); returns how many bytes were thrown away. */
  reset(): number {
    const lost = this.filled;
    this.filled = 0;
    return lost;
  }
}
