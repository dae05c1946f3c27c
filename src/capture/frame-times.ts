// When frames arrived: the clock time of the last one, and the rate over the last few
// (`stats().fps`), from a ring of their times: nothing is allocated per frame.
import type { Clock } from '../shared/clock.js';

const WINDOW = 32;

export class FrameTimes {
  private readonly times = new Float64Array(WINDOW);
  private count = 0;
  private lastAt: number | null = null;

  constructor(private readonly clock: Clock) {}

  /** A frame arrived at clock time `now`. */
  add(now: number): void {
    this.count++;
    this.times[this.count % WINDOW] = now;
    this.lastAt = now;
  }

  /** Clock time of the last frame, null before the first. */
  get last(): number | null {
    return this.lastAt;
  }

  /** Frames per second over the last few (0 with fewer than two). */
  fps(): number {
    const n = Math.min(this.count, WINDOW);
    if (n < 2 || this.lastAt === null) return 0;
    const oldest = this.times[(this.count - n + 1 + WINDOW) % WINDOW] ?? this.lastAt;
    // A source that went quiet has no rate, whatever its last burst was.
    if (this.clock.now() - this.lastAt > 5000) return 0;
    const span = this.lastAt - oldest;
    return span > 0 ? ((n - 1) * 1000) / span : 0;
  }
}
