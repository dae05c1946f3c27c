// Where the scene detector looked, summed over the frames: the numbers /healthz and /metrics
// show about motion-gated regions. Totals since start, and means over the last `window` frames.
import type { FrameAnalysis } from '../shared/types.js';

export interface ScanSnapshot {
  /** Totals since start. */
  frames: number;
  framesWithoutInference: number;
  /** Scene detector runs (one per region; one for a whole frame). */
  sceneInferences: number;
  motorcycles: number;
  riders: number;
  /** Motorcycles whose plate was wanted: searched, or skipped by plates.per_track. */
  plateSearches: number;
  plateSearchesSkipped: number;
  /** Means over the recent frames (0 before the first frame); motionFraction null when motion is not used. */
  recent: { frames: number; motionFraction: number | null; regionsPerFrame: number; inferenceMsPerFrame: number; withoutInference: number };
}

interface Sample {
  motion: number | null;
  regions: number;
  inferenceMs: number;
}

export class ScanStats {
  private totals = { frames: 0, framesWithoutInference: 0, sceneInferences: 0, motorcycles: 0, riders: 0, plateSearches: 0, plateSearchesSkipped: 0 };
  private ring: Sample[] = [];
  private next = 0;

  constructor(private readonly window = 100) {}

  observe(a: FrameAnalysis): void {
    const regions = a.scan ? (a.scan.mode === 'none' ? 0 : a.scan.regions.length) : 1;
    let inferenceMs = 0;
    for (const [step, ms] of Object.entries(a.timings)) if (step.endsWith('.model')) inferenceMs += ms;
    const t = this.totals;
    t.frames++;
    if (regions === 0) t.framesWithoutInference++;
    t.sceneInferences += regions;
    t.motorcycles += a.motorcycles.length;
    t.riders += a.motorcycles.reduce((n, m) => n + m.riders.length, 0);
    t.plateSearches += a.plateSearches?.searched ?? 0;
    t.plateSearchesSkipped += a.plateSearches?.skipped ?? 0;
    const s: Sample = { motion: a.scan?.motionFraction ?? null, regions, inferenceMs };
    if (this.ring.length < this.window) this.ring.push(s);
    else this.ring[this.next] = s;
    this.next = (this.next + 1) % this.window;
  }

  snapshot(): ScanSnapshot {
    const r = this.ring;
    const n = r.length;
    const mean = (f: (s: Sample) => number): number => (n === 0 ? 0 : r.reduce((a, s) => a + f(s), 0) / n);
    const withMotion = r.filter((s) => s.motion !== null);
    return {
      ...this.totals,
      recent: {
        frames: n,
        motionFraction: withMotion.length === 0 ? null : withMotion.reduce((a, s) => a + s.motion!, 0) / withMotion.length,
        regionsPerFrame: mean((s) => s.regions),
        inferenceMsPerFrame: mean((s) => s.inferenceMs),
        withoutInference: n === 0 ? 0 : r.filter((s) => s.regions === 0).length / n,
      },
    };
  }
}
