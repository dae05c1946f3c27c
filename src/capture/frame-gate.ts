/**
 * Back-pressure on ffmpeg's pipe for a lossless hand-off (a file read as fast as possible).
 *
 * The latest-frame hand-off is right for a live camera (a frame that waits is dropped), but a
 * file read as fast as possible would then be decoded only for most frames to be dropped,
 * and the decoding steals the CPU that detection needs. With a gate, bytes pass to the frame
 * assembler only up to one frame (or `ahead` frames) ahead of what the consumer took (`grant()` after each frame
 * taken); the rest waits in the pipe (the sink's write callback is held), so ffmpeg blocks,
 * nothing is dropped, and memory stays at one frame ahead.
 *
 * Invariant: at most `credit` bytes are passed on before the next `grant()`; a held chunk is
 * acknowledged (its `done` called) only once all of it has passed.
 */
export class FrameGate {
  private credit: number;
  private held: { chunk: Buffer; onData: (c: Buffer) => void; done: () => void } | null = null;
  private open = false;

  /** `ahead`: frames that may pass before the consumer took the first (one, but see handoff.ts's losslessWindow). */
  constructor(
    private readonly frameBytes: number,
    ahead = 1,
  ) {
    this.credit = ahead * frameBytes;
  }

  write(chunk: Buffer, onData: (c: Buffer) => void, done: () => void): void {
    const n = this.open ? chunk.length : Math.min(this.credit, chunk.length);
    if (n > 0) {
      if (!this.open) this.credit -= n;
      onData(n === chunk.length ? chunk : chunk.subarray(0, n));
    }
    if (n === chunk.length) done();
    else this.held = { chunk: chunk.subarray(n), onData, done };
  }

  /** True while ffmpeg is held back (no credit left): the consumer is behind, not the source. */
  get behind(): boolean {
    return !this.open && (this.held !== null || this.credit <= 0);
  }

  /** The consumer took a frame: let one more through. */
  grant(): void {
    this.credit += this.frameBytes;
    this.resume();
  }

  /** Stop gating (the source is stopping): everything passes, so ffmpeg never blocks on its pipe. */
  release(): void {
    this.open = true;
    this.resume();
  }

  /** ffmpeg is gone: forget what it wrote last. */
  drop(): void {
    this.held = null;
  }

  private resume(): void {
    const h = this.held;
    this.held = null;
    if (h) this.write(h.chunk, h.onData, h.done);
  }
}
