// Per-step milliseconds of one frame. Steps named `<stage>.model` are inference; the rest
// (`.pre`, `.post`, `riders`) is our own code.
export class Stopwatch {
  readonly timings: Record<string, number> = {};
  private last = 0;

  constructor(private readonly now: () => number = () => performance.now()) {}

  start(): void {
    this.last = this.now();
  }

  /** Adds the time since the last start/lap to `step` (steps repeat per rider or plate). */
  lap(step: string): void {
    const t = this.now();
    this.timings[step] = (this.timings[step] ?? 0) + (t - this.last);
    this.last = t;
  }
}

/** Sums of model time and of our own time over a timings record. */
export function splitTimings(timings: Readonly<Record<string, number>>): { model: number; own: number } {
  let model = 0;
  let own = 0;
  for (const [k, v] of Object.entries(timings)) {
    if (k === 'total') continue;
    if (k.endsWith('.model')) model += v;
    else own += v;
  }
  return { model, own };
}
