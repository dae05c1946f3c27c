import { describe, expect, it } from 'vitest';
import { PlateBudget } from '../../src/detect/plate-budget.js';
import type { Box, PlateRead } from '../../src/shared/types.js';

const moto = (x: number, h = 200): Box => ({ x1: x, y1: 100, x2: x + 150, y2: 100 + h });
const read = (text: string, confidence = 0.9): PlateRead => ({ box: { x1: 0, y1: 0, x2: 60, y2: 20 }, text, raw: text, confidence, region: null, regionConfidence: null, repaired: 0 });
const options = { settleReads: 3, maxGapFrames: 3, minConfidence: 0.5 };

/** One motorcycle over frames 1..n, its box given by `box(seq)`, what each search reads by `reads(seq)`: the frames searched. */
function searchedFrames(budget: PlateBudget, n: number, box: (seq: number) => Box, reads: (seq: number) => PlateRead | null): number[] {
  const out: number[] = [];
  for (let seq = 1; seq <= n; seq++) {
    const ticket = budget.plan(seq, [box(seq)], [true]);
    if (ticket.search[0]) out.push(seq);
    budget.record(ticket, [ticket.search[0] ? reads(seq) : null]);
  }
  return out;
}

describe('plate search budget per motorcycle', () => {
  it.each([
    // name, options, reads per search, frames searched of 12
    ['nothing read: one frame more between searches per failed search, up to max_gap_frames', options, () => null, [1, 3, 6, 10]],
    ['searches every frame with max_gap_frames 0', { ...options, maxGapFrames: 0 }, () => null, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]],
    ['stops once read alike settle_reads times', options, () => read('59P133202'), [1, 2, 3]],
    ['never settles with settle_reads 0', { ...options, settleReads: 0 }, () => read('59P133202'), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]],
    ['reads that differ do not settle', options, (seq: number) => read(`59P1332${String(seq).padStart(2, '0')}`), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]],
    ['a read under min confidence counts as nothing read', options, () => read('59P133202', 0.3), [1, 3, 6, 10]],
  ] as const)('%s', (_name, o, reads, frames) => {
    expect(searchedFrames(new PlateBudget(o), 12, (seq) => moto(100 + 5 * seq), reads)).toEqual(frames);
  });

  it('searches at once a motorcycle that has grown by a fifth since its last search', () => {
    // Heights 200, 225, 250, ...: frame 5 (300 = 1.2 × 250 of frame 3) comes before the gap's
    // frame 6, frame 8 (375 ≥ 1.2 × 300) before 9, frame 11 (450) before 12.
    expect(searchedFrames(new PlateBudget(options), 12, (seq) => moto(100, 175 + 25 * seq), () => null)).toEqual([1, 3, 5, 8, 11]);
  });

  it('a motorcycle that does not overlap the remembered one is new and searched at once', () => {
    const budget = new PlateBudget(options);
    budget.record(budget.plan(1, [moto(100)], [true]), [null]);
    const next = budget.plan(2, [moto(100), moto(700)], [true, true]);
    expect(next.search).toEqual([false, true]);
    expect([next.searched, next.skipped]).toEqual([1, 1]);
  });

  it('only wanted motorcycles are searched, and the others keep their memory', () => {
    const budget = new PlateBudget(options);
    const t1 = budget.plan(1, [moto(100)], [false]);
    expect(t1.search).toEqual([false]);
    expect([t1.searched, t1.skipped]).toEqual([0, 0]);
    budget.record(t1, [null]);
    // First wanted at frame 2: never searched before, so searched now.
    const t2 = budget.plan(2, [moto(105)], [true]);
    expect(t2.search).toEqual([true]);
    expect([t2.searched, t2.skipped]).toEqual([1, 0]);
  });

  it.each([
    ['the next frame: still settled', 4, false],
    ['the same frame again (still images)', 3, true],
    ['an earlier frame (a seek)', 1, true],
    ['a gap of more than ten frames', 14, true],
  ])('after a plate settled on frames 1-3, %s', (_name, seq, searched) => {
    const budget = new PlateBudget(options);
    for (let s = 1; s <= 3; s++) budget.record(budget.plan(s, [moto(100)], [true]), [read('59P133202')]);
    expect(budget.plan(seq, [moto(100)], [true]).search).toEqual([searched]);
  });
});
