// Notices a camera that stopped sending frames: a run of ffmpeg with no frame for
// camera.stall_timeout_s is stalled, once, and the watchdog says so to its owner (who kills
// ffmpeg). A lossless hand-off holding ffmpeg back because the consumer is behind is waiting,
// not stalled.
import type { Clock } from '../shared/clock.js';

export class StallWatchdog {
  private last: number;
  private readonly timer: ReturnType<typeof setInterval>;
  /** Whether this run has stalled (set once). */
  stalled = false;

  constructor(
    private readonly clock: Clock,
    private readonly stallMs: number,
    /** True while the consumer holds ffmpeg back (frame-gate.ts). */
    private readonly waiting: () => boolean,
    private readonly onStall: () => void,
  ) {
    this.last = clock.now();
    this.timer = setInterval(() => this.check(), Math.max(50, Math.min(1000, stallMs / 4)));
  }

  /** A frame arrived at `now`. */
  activity(now = this.clock.now()): void {
    this.last = now;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private check(): void {
    if (this.waiting()) this.last = this.clock.now();
    if (this.stalled || this.clock.now() - this.last < this.stallMs) return;
    this.stalled = true;
    this.onStall();
  }
}
