import { describe, expect, it } from 'vitest';
import { choosePlate, plateSizeFactor, type PlateSample } from '../../src/rules/plate-consensus.js';
import { box } from '../track/fixtures.js';

const big = box(0, 0, 80, 30);
const small = box(0, 0, 32, 12);
const r = (text: string, confidence: number, b = big): PlateSample => ({ text, confidence, box: b });

describe('best plate of a track', () => {
  it.each<{ name: string; reads: PlateSample[]; text: string | null; votes?: number }>([
    { name: 'no reads', reads: [], text: null },
    { name: 'only fragments', reads: [r('AB', 0.99), r('', 0.9)], text: null },
    { name: 'a single read', reads: [r('59X112345', 0.7)], text: '59X112345', votes: 1 },
    {
      name: 'agreeing reads beat one higher-scored outlier',
      reads: [r('59X112345', 0.6), r('59X112345', 0.62), r('59X1I2345', 0.55), r('77H998877', 0.95)],
      text: '59X112345',
      votes: 2,
    },
    {
      name: 'in the winning cluster, the most frequent exact text wins over the single best-scored one',
      reads: [r('ABC1234', 0.7), r('ABC1234', 0.7), r('A8C1234', 0.9)],
      text: 'ABC1234',
      votes: 2,
    },
    {
      name: 'a tie in frequency goes to the higher mean confidence',
      reads: [r('ABC1234', 0.6), r('A8C1234', 0.8)],
      text: 'A8C1234',
      votes: 1,
    },
    {
      name: 'a large plate outweighs several tiny reads',
      // Tiny reads count 0.5 of their confidence: 3 × 0.9 × 0.5 = 1.35 < 2 × 0.8 = 1.6.
      reads: [r('11A11111', 0.9, small), r('11A11111', 0.9, small), r('11A11111', 0.9, small), r('29K55555', 0.8), r('29K55555', 0.8)],
      text: '29K55555',
      votes: 2,
    },
    {
      name: 'a dropped character joins its cluster and adds its weight',
      reads: [r('ABC1234', 0.5), r('ABC123', 0.5), r('XYZ9876', 0.8)],
      text: 'ABC1234',
      votes: 1,
    },
  ])('$name', ({ reads, text, votes }) => {
    const got = choosePlate(reads, 1);
    expect(got?.text ?? null).toBe(text);
    if (votes !== undefined) expect(got?.votes).toBe(votes);
  });

  it('reports the mean confidence of the chosen text\'s reads', () => {
    expect(choosePlate([r('ABC1234', 0.6), r('ABC1234', 0.8), r('A8C1234', 0.9)], 1)?.confidence).toBeCloseTo(0.7, 10);
  });

  it('does not depend on the order of the reads', () => {
    const reads = [r('59X112345', 0.6), r('77H998877', 0.95), r('59X112345', 0.62), r('59X1I2345', 0.55)];
    const want = choosePlate(reads, 1);
    expect(choosePlate([...reads].reverse(), 1)).toEqual(want);
  });

  it.each([
    { b: box(0, 0, 64, 24), f: 1 },
    { b: box(0, 0, 200, 60), f: 1 },
    { b: box(0, 0, 32, 12), f: 0.5 },
    { b: box(0, 0, 2, 1), f: 0.1 },
  ])('size factor of a $b.x2×$b.y2 plate is $f', ({ b, f }) => {
    expect(plateSizeFactor(b)).toBeCloseTo(f, 10);
  });
});
