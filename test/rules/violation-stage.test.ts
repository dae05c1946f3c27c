import { describe, expect, it } from 'vitest';
import { DedupSchema, RulesSchema } from '../../src/config/rules.js';
import { createViolationStage } from '../../src/rules/violation-stage.js';
import { silentLogger } from '../../src/shared/logger.js';
import type { FrameAnalysis, HelmetVerdictKind, MotorcycleObservation, Violation } from '../../src/shared/types.js';
import { FPS, T0, bike, box, fakeClock, frameAt, plate } from '../track/fixtures.js';

const dt = 1000 / FPS;

/** The stage under test; its fixture bikes mostly stand still, so parked tracks are recorded unless a test says otherwise. */
function stage(rules: Partial<Record<string, unknown>> = {}, dedup: Partial<Record<string, unknown>> = {}) {
  const clock = fakeClock(T0);
  const s = createViolationStage({
    rules: RulesSchema.parse({ min_no_helmet_frames: 3, track_timeout_s: 2, max_delay_s: 10, record_parked: true, ...rules }),
    dedup: DedupSchema.parse(dedup),
    camera: { id: 'cam-1', location: 'Test junction' },
    clock,
    logger: silentLogger(),
    evidence: { jpegQuality: 80 },
    models: { scene: 'scene.onnx@1234' },
    agentVersion: '9.9.9',
  });
  return { s, clock };
}

/** Pushes frames in order (the clock follows the frames) and records which seq emitted what. */
async function play(s: ReturnType<typeof stage>, frames: FrameAnalysis[]): Promise<Array<{ seq: number | 'flush'; v: Violation }>> {
  const out: Array<{ seq: number | 'flush'; v: Violation }> = [];
  for (const f of frames) {
    s.clock.set(f.frame.capturedAt);
    for (const v of await s.s.push(f)) out.push({ seq: f.frame.seq, v });
  }
  for (const v of await s.s.flush()) out.push({ seq: 'flush', v });
  return out;
}

/** One bike moving slowly right, one verdict per frame (null: not detected that frame). */
function track(verdicts: Array<HelmetVerdictKind | HelmetVerdictKind[] | null>, extra: (i: number) => Partial<MotorcycleObservation> = () => ({})): FrameAnalysis[] {
  return verdicts.map((v, i) => frameAt(i, v === null ? [] : [{ ...bike(box(20 + i * 4, 100, 100, 60), v), ...extra(i) }]));
}

const H = 'helmet' as const;
const N = 'no_helmet' as const;
const U = 'unknown' as const;

describe('the helmet rule (min_no_helmet_frames = 3)', () => {
  it.each<{ name: string; verdicts: Array<HelmetVerdictKind | HelmetVerdictKind[] | null>; frames: number | null }>([
    { name: 'never no_helmet', verdicts: [H, H, H, H, H, H], frames: null },
    { name: 'no_helmet in 2 frames', verdicts: [N, H, N, H, H, H], frames: null },
    { name: 'no_helmet in 3 frames, not consecutive', verdicts: [N, H, N, U, H, N], frames: 3 },
    { name: 'no_helmet in 3 frames with gaps in detection', verdicts: [N, null, N, null, null, N], frames: 3 },
    { name: 'no_helmet in every frame', verdicts: [N, N, N, N, N, N, N], frames: 7 },
    { name: 'two riders no_helmet in 2 frames: frames count, not riders', verdicts: [[N, N], [N, N], [H, H], [H, H]], frames: null },
    { name: 'one of two riders no_helmet in 3 frames', verdicts: [[H, N], [N, H], [H, N], [H, H]], frames: 3 },
    { name: 'unknown verdicts never count', verdicts: [U, U, U, U, N, N], frames: null },
  ])('$name → frames counted: $frames', async ({ verdicts, frames }) => {
    const s = stage();
    const got = await play(s, track(verdicts));
    expect(got.map((g) => g.v.frameCount)).toEqual(frames === null ? [] : [frames]);
  });

  it.each([
    { n: 1, want: 1 },
    { n: 4, want: 1 },
    { n: 5, want: 0 },
  ])('with min_no_helmet_frames = $n a track with 4 no_helmet frames yields $want', async ({ n, want }) => {
    const s = stage({ min_no_helmet_frames: n });
    expect(await play(s, track([N, N, H, N, N, H]))).toHaveLength(want);
  });
});

describe('when a violation is emitted', () => {
  it('once per track, when the track ends (timeout), however many frames it lasted', async () => {
    const s = stage();
    // 40 frames (8 s) of no_helmet, then nothing for 3 s.
    const frames = [...track(Array<HelmetVerdictKind>(40).fill(N)), ...Array.from({ length: 15 }, (_, i) => frameAt(40 + i, []))];
    const got = await play(s, frames);
    expect(got).toHaveLength(1);
    // Last seen at seq 39; 2 s timeout = 10 frames later.
    expect(got[0]!.seq).toBe(49);
    expect(got[0]!.v.frameCount).toBe(40);
    expect(got[0]!.v.firstSeenAt).toBe(T0);
    expect(got[0]!.v.lastSeenAt).toBe(T0 + 39 * dt);
  });

  it('at max_delay_s after the track began when the track goes on, and never again for that track', async () => {
    const s = stage();
    const got = await play(s, track(Array<HelmetVerdictKind>(90).fill(N)));
    expect(got.map((g) => g.seq)).toEqual([50]);
    expect(got[0]!.v.frameCount).toBe(51);
    expect(s.s.stats()).toMatchObject({ emitted: 1, candidates: 1, tracksStarted: 1 });
  });

  it('at once when the threshold is reached only after max_delay_s', async () => {
    const s = stage({ max_delay_s: 1 });
    const got = await play(s, track([H, H, H, H, H, H, H, N, H, N, H, N, H, H]));
    expect(got.map((g) => g.seq)).toEqual([11]);
  });

  it('at flush for tracks still open, and only for violating ones', async () => {
    const s = stage();
    const frames = Array.from({ length: 6 }, (_, i) =>
      frameAt(i, [bike(box(10, 100, 80, 50), N), bike(box(200, 100, 80, 50), H)]),
    );
    const got = await play(s, frames);
    expect(got.map((g) => [g.seq, g.v.trackId])).toEqual([['flush', 1]]);
    expect(s.s.stats().tracksOpen).toBe(0);
  });

  it('by tick when frames stop coming and the clock passes the timeout', async () => {
    const s = stage();
    for (const f of track([N, N, N])) await s.s.push(f);
    s.clock.set(T0 + 2 * dt + 1999);
    expect(await s.s.tick()).toHaveLength(0);
    s.clock.set(T0 + 2 * dt + 2000);
    expect(await s.s.tick()).toHaveLength(1);
  });
});

describe('zone and minimum sizes', () => {
  const zoneLeft: Array<[number, number]> = [[0, 0], [0.5, 0], [0.5, 1], [0, 1]];

  it.each([
    { name: 'inside the zone', x: 20, zone: zoneLeft, want: 1 },
    { name: 'outside the zone', x: 200, zone: zoneLeft, want: 0 },
    { name: 'no zone', x: 200, zone: null, want: 1 },
  ])('a violating bike $name', async ({ x, zone, want }) => {
    const s = stage({ zone });
    const frames = Array.from({ length: 5 }, (_, i) => frameAt(i, [bike(box(x, 100, 100, 60), N)]));
    expect(await play(s, frames)).toHaveLength(want);
  });

  it('ignores motorcycles smaller than min_motorcycle_px', async () => {
    const s = stage({ min_motorcycle_px: 50 });
    const frames = Array.from({ length: 5 }, (_, i) => frameAt(i, [bike(box(20, 100, 100, 40), N)]));
    expect(await play(s, frames)).toHaveLength(0);
    expect(s.s.stats().tracksStarted).toBe(0);
  });

  it('does not judge riders smaller than min_rider_px', async () => {
    // The fixture rider is 60 × 90 on a 100 × 60 bike.
    const judged = await play(stage({ min_rider_px: 60 }), track([N, N, N]));
    const tooSmall = await play(stage({ min_rider_px: 61 }), track([N, N, N]));
    expect([judged.length, tooSmall.length]).toEqual([1, 0]);
  });
});

describe('the record', () => {
  it('carries the mean no-helmet score, the best frame\'s time, the consensus plate and the identities', async () => {
    const s = stage();
    const scores = [0.9, 0.96, 0.92, 0.94];
    const reads = [plate(box(40, 130, 60, 22), '59X112345', 0.7), plate(box(40, 130, 60, 22), '59X1I2345', 0.9), plate(box(40, 130, 60, 22), '59X112345', 0.75), null];
    const frames = scores.map((sc, i) => frameAt(i, [bike(box(20 + i * 4, 100, 100, 60), N, reads[i] ?? null, sc)]));
    const [got] = await play(s, frames);
    const v = got!.v;
    expect(v.detectionConfidence).toBeCloseTo((0.9 + 0.96 + 0.92 + 0.94) / 4, 4);
    expect(v.occurredAt).toBe(T0 + 1 * dt);
    expect(v.plateText).toBe('59X112345');
    expect(v.plateConfidence).toBeCloseTo(0.725, 4);
    expect(v).toMatchObject({ type: 'no_helmet', cameraId: 'cam-1', cameraLocation: 'Test junction', agentVersion: '9.9.9', trackId: 1, frameCount: 4, models: { scene: 'scene.onnx@1234' } });
    expect(v.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(v.evidence.map((e) => e.kind)).toEqual(['frame', 'rider', 'plate']);
  });

  it('carries the plate\'s region and the track\'s direction of travel', async () => {
    // A rider seen from behind: the box moves up the picture and shrinks.
    const frames = [0, 1, 2, 3].map((i) =>
      frameAt(i, [bike(box(200, 300 - i * 30, 100 - i * 10, 120 - i * 12), N, { ...plate(box(240, 380 - i * 30, 30, 20), '77L138777', 0.9), region: 'Vietnam' })]),
    );
    const [got] = await play(stage(), frames);
    expect(got!.v).toMatchObject({ plateText: '77L138777', plateRegion: 'Vietnam', travelDirection: 'away' });
    expect(got!.v.headingDeg).toBeLessThan(-60);
  });

  it('has a null plate and no plate image when nothing was read', async () => {
    const [got] = await play(stage(), track([N, N, N]));
    expect(got!.v.plateText).toBeNull();
    expect(got!.v.plateConfidence).toBeNull();
    expect(got!.v.evidence.map((e) => e.kind)).toEqual(['frame', 'rider']);
  });
});

describe('parked motorcycles (rules.record_parked, default false)', () => {
  // 100 x 60 bikes with a bare-headed rider in 5 frames: standing, creeping 4 px a frame
  // (0.27 box heights in all: moving), riding 20 px a frame, and parked but boxed a little
  // differently each frame (detector jitter of ±3 px)
  const bikes = (at: (i: number) => number, jitter = 0) => Array.from({ length: 5 }, (_, i) => frameAt(i, [bike(box(at(i), 100 + (i % 2) * jitter, 100 + (i % 2) * jitter, 60 - (i % 2) * jitter), N)]));
  it.each([
    { what: 'a parked motorcycle is counted as parked, not recorded', frames: bikes(() => 40), recorded: 0, parked: 1 },
    { what: 'a parked motorcycle boxed with jitter is still parked', frames: bikes((i) => 40 + (i % 2) * 3, 3), recorded: 0, parked: 1 },
    { what: 'one creeping forward is recorded', frames: bikes((i) => 40 + i * 4), recorded: 1, parked: 0 },
    { what: 'one riding through is recorded', frames: bikes((i) => 40 + i * 20), recorded: 1, parked: 0 },
  ])('$what', async ({ frames, recorded, parked }) => {
    const s = stage({ record_parked: false });
    const got = await play(s, frames);
    expect(got).toHaveLength(recorded);
    expect(got.map((g) => g.v.travelDirection)).not.toContain('still');
    expect(s.s.stats()).toMatchObject({ candidates: 1, parked, emitted: recorded, framesHeld: 0 });
  });

  it('with record_parked true, the parked motorcycle is recorded as still', async () => {
    const [got] = await play(stage({ record_parked: true }), bikes(() => 40));
    expect(got!.v.travelDirection).toBe('still');
  });
});

describe('dedup inside the stage', () => {
  it('two tracks of the same plate inside the window are one violation; a different plate is another', async () => {
    const s = stage();
    const seq = (from: number, text: string) =>
      Array.from({ length: 4 }, (_, i) => frameAt(from + i, [bike(box(20, 100, 100, 60), N, plate(box(40, 130, 60, 22), text))]));
    const gap = (from: number) => Array.from({ length: 11 }, (_, i) => frameAt(from + i, []));
    const frames = [...seq(0, 'ABC1234'), ...gap(4), ...seq(15, 'A8C1234'), ...gap(19), ...seq(30, 'XYZ9876')];
    const got = await play(s, frames);
    expect(got.map((g) => g.v.plateText)).toEqual(['ABC1234', 'XYZ9876']);
    expect(s.s.stats()).toMatchObject({ candidates: 3, emitted: 2, duplicates: { same_plate_in_window: 1, same_track: 0 } });
  });

  it('keeps plate-less violations of different tracks', async () => {
    const s = stage();
    const frames = Array.from({ length: 4 }, (_, i) => frameAt(i, [bike(box(10, 100, 80, 50), N), bike(box(200, 100, 80, 50), N)]));
    const got = await play(s, frames);
    expect(got.map((g) => [g.v.trackId, g.v.plateText])).toEqual([[1, null], [2, null]]);
  });
});

describe('memory', () => {
  it('holds at most one evidence frame per open track and releases it once the violation is decided', async () => {
    const s = stage();
    const held: number[] = [];
    for (let i = 0; i < 60; i++) {
      s.clock.set(T0 + i * dt);
      await s.s.push(frameAt(i, [bike(box(10, 100, 80, 50), N), bike(box(200, 100, 80, 50), i % 2 ? N : H)]));
      held.push(s.s.stats().framesHeld);
    }
    expect(Math.max(...held)).toBe(2);
    // After max_delay (frame 50) both tracks were emitted and their frames released.
    expect(held.at(-1)).toBe(0);
  });
});

describe('plate confidence floor', () => {
  it.each([
    { name: 'reads under min_plate_confidence are ignored: plate null', conf: [0.31, 0.4, 0.45], want: null },
    { name: 'one read at the floor is enough', conf: [0.31, 0.5, 0.2], want: '59X112345' },
  ])('$name', async ({ conf, want }) => {
    const s = stage({ min_plate_confidence: 0.5 });
    const frames = conf.map((c, i) => frameAt(i, [bike(box(20 + i * 4, 100, 100, 60), N, plate(box(40, 130, 60, 22), '59X112345', c))]));
    const [got] = await play(s, frames);
    expect(got!.v.plateText).toBe(want);
  });
});

describe('frame ownership', () => {
  it('keeps its own copy of the evidence frame: a caller reusing frame buffers does not change the evidence', async () => {
    const frames = () => Array.from({ length: 4 }, (_, i) => frameAt(i, [bike(box(20, 100, 100, 60), N, null, 0.9 + i * 0.01)], { pattern: true }));
    const untouched = await play(stage(), frames());
    const s = stage();
    const reused: Violation[] = [];
    for (const f of frames()) {
      s.clock.set(f.frame.capturedAt);
      reused.push(...(await s.s.push(f)));
      f.frame.data.fill(255);
    }
    reused.push(...(await s.s.flush()));
    expect(reused.map((v) => v.evidence.map((e) => e.sha256))).toEqual(untouched.map((g) => g.v.evidence.map((e) => e.sha256)));
  });
});

describe('the open tracks as the installer page sees them', () => {
  it('lists each open track with its last verdicts, no-helmet frames, best plate and whether it is decided', async () => {
    const s = stage({ min_no_helmet_frames: 2, max_delay_s: 1 });
    const frames = track([N, H, N, N, N, N, N], (i) => ({ plate: i >= 2 ? plate(box(40, 150, 30, 10), 'AB123CD', 0.9) : null }));
    for (const f of frames.slice(0, 2)) {
      s.clock.set(f.frame.capturedAt);
      await s.s.push(f);
    }
    expect(s.s.tracks()).toEqual([
      { id: 1, box: frames[1]!.motorcycles[0]!.motorcycle.box, hits: 2, lastSeenAt: frames[1]!.frame.capturedAt, noHelmetFrames: 1, riders: [H], plate: null, decided: false },
    ]);
    for (const f of frames.slice(2)) {
      s.clock.set(f.frame.capturedAt);
      await s.s.push(f);
    }
    // Past max_delay_s the violation is decided; the track stays open until it ends.
    expect(s.s.tracks()).toEqual([expect.objectContaining({ id: 1, hits: 7, riders: [N], plate: 'AB123CD', decided: true })]);
    await s.s.flush();
    expect(s.s.tracks()).toEqual([]);
  });
});
