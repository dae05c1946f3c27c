// The one spare frame buffer of a source: the buffer of a frame overtaken before anyone saw it,
// or of a delivered one the consumer handed back, becomes the next frame's instead of a fresh
// allocation (a 1280x720 frame is 2.7 MB).
export class SpareBuffer {
  private spare: Buffer | null = null;

  constructor(private readonly frameBytes: number) {}

  /** A buffer for the next frame: the spare if there is one, else a new one. */
  take(): Buffer {
    const spare = this.spare;
    if (spare) {
      this.spare = null;
      return spare;
    }
    // Its own ArrayBuffer (not the shared pool), so a consumer can transfer it to a worker.
    return Buffer.allocUnsafeSlow(this.frameBytes);
  }

  /** The buffer of a frame nobody saw: it becomes the spare. */
  keep(buffer: Buffer): void {
    this.spare = buffer;
  }

  /** A delivered frame's buffer, handed back: kept only if it is a whole frame buffer and no spare is held. */
  recycle(data: Uint8Array): void {
    const bytes = this.frameBytes;
    if (this.spare || data.byteOffset !== 0 || data.byteLength !== bytes || data.buffer.byteLength !== bytes) return;
    this.spare = Buffer.from(data.buffer, 0, bytes);
  }
}
