import { describe, expect, it } from 'vitest';
import { iou } from '../../src/shared/box.js';
import { createTracker } from '../../src/track/tracker.js';
import { FPS, T0, bike, box } from './fixtures.js';

const dt = 1000 / FPS;
const at = (seq: number) => T0 + seq * dt;

function ids(tracker: ReturnType<typeof createTracker>, frames: Array<ReturnType<typeof bike>[]>): number[][] {
  return frames.map((obs, seq) => tracker.update(obs, at(seq), seq).assigned.map((a) => a.track.id));
}

describe('IoU tracker', () => {
  it.each([
    { name: 'a parked motorcycle', speed: 0 },
    { name: 'a slow motorcycle (20 px/frame)', speed: 20 },
    // 45 px per frame on a 100 px box: IoU with the last box is 0.38, with the prediction ~1.
    { name: 'a fast motorcycle (45 px/frame, needs the motion model)', speed: 45 },
    { name: 'a motorcycle speeding up (30 → 80 px/frame)', speed: -1 },
  ])('$name moving right keeps one track id', ({ speed }) => {
    const tracker = createTracker({ iouMatch: 0.3, timeoutMs: 2000 });
    let x = 0;
    const frames = Array.from({ length: 12 }, (_, i) => {
      x += speed >= 0 ? speed : 30 + i * 5;
      return [bike(box(x, 100, 100, 60))];
    });
    const got = ids(tracker, frames);
    expect(new Set(got.flat())).toEqual(new Set([1]));
    expect(tracker.open()).toHaveLength(1);
    expect(tracker.open()[0]!.hits).toBe(12);
  });

  it('the motion model carries a track across a step its last box no longer overlaps enough', () => {
    const tracker = createTracker({ iouMatch: 0.5, timeoutMs: 2000 });
    // 30 px/frame for two frames, then 60 px/frame: IoU of consecutive boxes drops to 0.25.
    const xs = [0, 30, 60, 120, 180, 240, 300];
    const boxes = xs.map((x) => box(x, 100, 100, 60));
    expect(iou(boxes[3]!, boxes[4]!)).toBeLessThan(0.5);
    const got = ids(tracker, boxes.map((b) => [bike(b)]));
    expect(new Set(got.flat())).toEqual(new Set([1]));
  });

  it.each([
    { name: 'side by side, moving together', gap: 10, dx: 15 },
    { name: 'side by side, almost touching', gap: 0, dx: 25 },
    { name: 'side by side, standing', gap: 5, dx: 0 },
  ])('two bikes $name stay two tracks', ({ gap, dx }) => {
    const tracker = createTracker({ iouMatch: 0.3, timeoutMs: 2000 });
    const frames = Array.from({ length: 10 }, (_, i) => [bike(box(i * dx, 100, 80, 60)), bike(box(i * dx + 80 + gap, 100, 80, 60))]);
    const got = ids(tracker, frames);
    for (const frame of got) expect(frame).toEqual([1, 2]);
  });

  it('two bikes given in a different order each frame keep their own ids', () => {
    const tracker = createTracker({ iouMatch: 0.3, timeoutMs: 2000 });
    const left = (i: number) => bike(box(i * 10, 100, 80, 60));
    const right = (i: number) => bike(box(300 - i * 10, 100, 80, 60));
    const got = ids(tracker, Array.from({ length: 6 }, (_, i) => (i % 2 === 0 ? [left(i), right(i)] : [right(i), left(i)])));
    expect(got).toEqual([[1, 2], [2, 1], [1, 2], [2, 1], [1, 2], [2, 1]]);
  });

  it.each([
    { name: 'unseen for less than the timeout: the same track', gapMs: 1800, ended: 0, newId: 1 },
    { name: 'unseen for exactly the timeout: ended, a new track', gapMs: 2000, ended: 1, newId: 2 },
    { name: 'unseen for longer: ended, a new track', gapMs: 5000, ended: 1, newId: 2 },
  ])('$name', ({ gapMs, ended, newId }) => {
    const tracker = createTracker({ iouMatch: 0.3, timeoutMs: 2000 });
    tracker.update([bike(box(0, 0, 50, 50))], T0, 0);
    const u = tracker.update([bike(box(0, 0, 50, 50))], T0 + gapMs, 1);
    expect(u.ended.map((t) => t.id)).toEqual(ended ? [1] : []);
    expect(u.assigned[0]!.track.id).toBe(newId);
  });

  it('expire ends timed-out tracks without a frame, and closeAll ends the rest', () => {
    const tracker = createTracker({ iouMatch: 0.3, timeoutMs: 2000 });
    tracker.update([bike(box(0, 0, 50, 50)), bike(box(200, 0, 50, 50))], T0, 0);
    tracker.update([bike(box(200, 0, 50, 50))], T0 + 1500, 1);
    expect(tracker.expire(T0 + 1999).map((t) => t.id)).toEqual([]);
    expect(tracker.expire(T0 + 2000).map((t) => t.id)).toEqual([1]);
    expect(tracker.closeAll().map((t) => t.id)).toEqual([2]);
    expect(tracker.open()).toHaveLength(0);
  });

  it('keeps the riders\' verdicts per frame, bounded to the newest frames', () => {
    const tracker = createTracker({ iouMatch: 0.3, timeoutMs: 2000, maxHistory: 4 });
    const verdicts = ['helmet', 'no_helmet', 'unknown', 'no_helmet', 'no_helmet', 'helmet'] as const;
    verdicts.forEach((v, seq) => tracker.update([bike(box(0, 0, 50, 50), [v, 'helmet'])], at(seq), seq));
    const h = tracker.open()[0]!.history;
    expect(h.map((f) => f.seq)).toEqual([2, 3, 4, 5]);
    expect(h.map((f) => f.riders.map((r) => r.verdict))).toEqual([
      ['unknown', 'helmet'],
      ['no_helmet', 'helmet'],
      ['no_helmet', 'helmet'],
      ['helmet', 'helmet'],
    ]);
  });

  it('never reuses an id', () => {
    const tracker = createTracker({ iouMatch: 0.3, timeoutMs: 200 });
    const seen: number[] = [];
    for (let seq = 0; seq < 10; seq++) {
      // Every other frame empty: each appearance is after the timeout, so a new track.
      if (seq % 2 === 0) seen.push(...tracker.update([bike(box(0, 0, 50, 50))], T0 + seq * 300, seq).assigned.map((a) => a.track.id));
    }
    expect(seen).toEqual([1, 2, 3, 4, 5]);
  });
});
