import { describe, expect, it } from 'vitest';
import { evaluateHealth, type HealthSnapshot } from '../../src/operate/health.js';
import { createMetrics, type MetricsSnapshot } from '../../src/operate/metrics.js';
import { ScanStats } from '../../src/operate/scan-stats.js';
import type { FrameAnalysis, SceneScan } from '../../src/shared/types.js';

const frame = { seq: 0, width: 1280, height: 720, data: new Uint8Array(0), capturedAt: 0 };
const region = { x1: 0, y1: 0, x2: 416, y2: 416 };
function analysis(scan: SceneScan | undefined, sceneMs: number, motos = 0): FrameAnalysis {
  const moto = { box: region, score: 0.9, classId: 3, role: 'motorcycle' as const };
  const rider = { person: { ...moto, role: 'person' as const }, helmet: { verdict: 'helmet' as const, noHelmetScore: 0.1, headBox: region } };
  return {
    frame,
    motorcycles: Array.from({ length: motos }, () => ({ motorcycle: moto, riders: [rider], plate: null })),
    detections: [],
    timings: sceneMs > 0 ? { 'scene.model': sceneMs, 'helmet.model': 1, 'scene.pre': 5 } : { motion: 0.4 },
    ...(scan ? { scan } : {}),
  };
}

describe('scan statistics', () => {
  it('counts regions, frames without inference, model ms and motion over the recent frames', () => {
    const s = new ScanStats(3);
    s.observe(analysis({ mode: 'whole', regions: [region], motion: [], motionFraction: 0.5 }, 20, 2));
    s.observe(analysis({ mode: 'regions', regions: [region, region], motion: [region], motionFraction: 0.1 }, 30, 1));
    s.observe(analysis({ mode: 'none', regions: [], motion: [], motionFraction: 0 }, 0));
    s.observe(analysis({ mode: 'none', regions: [], motion: [], motionFraction: 0 }, 0));
    const snap = s.snapshot();
    expect(snap).toMatchObject({ frames: 4, framesWithoutInference: 2, sceneInferences: 3, motorcycles: 3, riders: 3 });
    // The window holds the last three frames: regions, none, none.
    expect(snap.recent.frames).toBe(3);
    expect(snap.recent.regionsPerFrame).toBeCloseTo(2 / 3);
    expect(snap.recent.inferenceMsPerFrame).toBeCloseTo(31 / 3);
    expect(snap.recent.motionFraction).toBeCloseTo(0.1 / 3);
    expect(snap.recent.withoutInference).toBeCloseTo(2 / 3);
  });

  it('counts a detector without scan information as one whole-frame run, motion unknown', () => {
    const s = new ScanStats();
    s.observe(analysis(undefined, 10));
    expect(s.snapshot()).toMatchObject({ sceneInferences: 1, framesWithoutInference: 0, recent: { motionFraction: null, regionsPerFrame: 1 } });
  });

  it('is shown by /healthz and /metrics', async () => {
    const s = new ScanStats();
    s.observe(analysis({ mode: 'none', regions: [], motion: [], motionFraction: 0.001 }, 0));
    s.observe({ ...analysis({ mode: 'regions', regions: [region], motion: [region], motionFraction: 0.021 }, 25, 1), plateSearches: { searched: 1, skipped: 2 } });
    const health: HealthSnapshot = {
      phase: 'running',
      startedAt: 0,
      camera: { id: 'c', state: 'online', lastFrameAt: 1000, fpsIn: 5, fpsProcessed: 5, fpsDropped: 0 },
      queue: { depth: 0, oldestPendingAt: null, deadLetters: 0 },
      central: { reachable: true, lastDeliveryAt: null },
      provider: 'cpu',
      version: '0',
      loops: [],
      scan: s.snapshot(),
    };
    expect(evaluateHealth(health, 1000, { maxFrameAgeS: 10 }).detect).toEqual({
      motion_fraction: 0.011,
      regions_per_frame: 0.5,
      inference_ms_per_frame: 13,
      frames_without_inference: 1,
      frames: 2,
    });
    const snap: MetricsSnapshot = {
      framesReceived: 2, framesProcessed: 2, framesDropped: 0, violations: {}, flushAttempts: 0, flushErrors: {},
      queueDepth: 0, queueOldestPendingAgeS: null, deadLetters: 0, cameraUp: true, cameraRestarts: 0, centralReachable: true, held: 0, heldBytes: 0, evidenceFramesHeld: 0, evidenceDamaged: 0,
      scan: s.snapshot(),
    };
    const text = await createMetrics({ snapshot: () => snap, info: { camera: 'c', version: '0', provider: 'cpu' }, processMetrics: false }).text();
    expect(text).toMatch(/^roadside_frames_without_inference_total 1$/m);
    expect(text).toMatch(/^roadside_scene_inferences_total 1$/m);
    expect(text).toMatch(/^roadside_riders_seen_total 1$/m);
    expect(text).toMatch(/^roadside_regions_per_frame 0\.5$/m);
    expect(text).toMatch(/^roadside_inference_ms_per_frame 13$/m);
    expect(text).toMatch(/^roadside_plate_searches_total 1$/m);
    expect(text).toMatch(/^roadside_plate_searches_skipped_total 2$/m);
  });
});
