// Builders for synthetic per-frame analyses: what the detect stage hands the violation stage.
import type { Box, FrameAnalysis, HelmetVerdictKind, MotorcycleObservation, PlateRead, Rider } from '../../src/shared/types.js';

export const FPS = 5;
export const T0 = Date.UTC(2025, 0, 15, 8, 0, 0);

export function box(x1: number, y1: number, w: number, h: number): Box {
  return { x1, y1, x2: x1 + w, y2: y1 + h };
}

export function rider(b: Box, verdict: HelmetVerdictKind, noHelmetScore = verdict === 'no_helmet' ? 0.95 : 0.05): Rider {
  const headH = (b.y2 - b.y1) / 4;
  return {
    person: { box: b, score: 0.8, classId: 0, role: 'person' },
    helmet: { verdict, noHelmetScore, headBox: { x1: b.x1, y1: b.y1, x2: b.x2, y2: b.y1 + headH } },
  };
}

export function plate(b: Box, text: string, confidence = 0.9): PlateRead {
  return { box: b, text, raw: text, confidence };
}

/** A motorcycle at `b` with one rider standing on its upper half. */
export function bike(b: Box, verdict: HelmetVerdictKind | HelmetVerdictKind[] = 'helmet', plateRead: PlateRead | null = null, score?: number): MotorcycleObservation {
  const verdicts = Array.isArray(verdict) ? verdict : [verdict];
  const w = b.x2 - b.x1;
  const riders = verdicts.map((v, i) => rider({ x1: b.x1 + (i * w) / 4, y1: b.y1 - (b.y2 - b.y1), x2: b.x1 + (i * w) / 4 + w * 0.6, y2: b.y1 + (b.y2 - b.y1) / 2 }, v, score));
  return { motorcycle: { box: b, score: 0.85, classId: 3, role: 'motorcycle' }, riders, plate: plateRead };
}

export interface FrameOptions {
  width?: number;
  height?: number;
  t0?: number;
  /** Fill the pixels with a pattern (evidence tests); otherwise zeros. */
  pattern?: boolean;
}

export function frameAt(seq: number, motorcycles: MotorcycleObservation[], o: FrameOptions = {}): FrameAnalysis {
  const width = o.width ?? 320;
  const height = o.height ?? 180;
  const data = new Uint8Array(width * height * 3);
  if (o.pattern) for (let i = 0; i < data.length; i++) data[i] = (i * 7 + seq) & 0xff;
  return {
    frame: { seq, width, height, data, capturedAt: (o.t0 ?? T0) + (seq * 1000) / FPS },
    motorcycles,
    detections: motorcycles.map((m) => m.motorcycle),
    timings: {},
  };
}

/** A clock the test moves by hand. */
export function fakeClock(start = T0): { now(): number; set(t: number): void; advance(ms: number): void } {
  let t = start;
  return { now: () => t, set: (v) => (t = v), advance: (ms) => (t += ms) };
}
