import { describe, expect, it } from 'vitest';
import { iou, padBox, pixelBox, smallerCover } from '../../src/shared/box.js';
import { fromState, toState } from '../../src/track/box.js';
import { box } from './fixtures.js';

describe('iou', () => {
  it.each([
    { name: 'identical boxes', a: box(0, 0, 10, 10), b: box(0, 0, 10, 10), want: 1 },
    { name: 'disjoint boxes', a: box(0, 0, 10, 10), b: box(20, 0, 10, 10), want: 0 },
    { name: 'touching edges', a: box(0, 0, 10, 10), b: box(10, 0, 10, 10), want: 0 },
    { name: 'half overlap', a: box(0, 0, 10, 10), b: box(5, 0, 10, 10), want: 50 / 150 },
    { name: 'one inside the other', a: box(0, 0, 10, 10), b: box(0, 0, 5, 10), want: 0.5 },
    { name: 'empty box', a: box(0, 0, 0, 0), b: box(0, 0, 5, 5), want: 0 },
  ])('$name', ({ a, b, want }) => {
    expect(iou(a, b)).toBeCloseTo(want, 10);
    expect(iou(b, a)).toBeCloseTo(want, 10);
  });
});

describe('smallerCover', () => {
  it.each([
    { name: 'one inside the other', a: box(0, 0, 20, 20), b: box(5, 5, 5, 5), want: 1 },
    { name: 'half of the smaller over the larger', a: box(0, 0, 20, 20), b: box(15, 0, 10, 10), want: 0.5 },
    { name: 'disjoint boxes', a: box(0, 0, 10, 10), b: box(20, 0, 10, 10), want: 0 },
    { name: 'a sub-pixel box counts as 1 px²', a: box(0, 0, 10, 10), b: box(0, 0, 0.5, 0.5), want: 0.25 },
  ])('$name', ({ a, b, want }) => {
    expect(smallerCover(a, b)).toBeCloseTo(want, 10);
    expect(smallerCover(b, a)).toBeCloseTo(want, 10);
  });
});

describe('box helpers', () => {
  it('round-trips a box through centre/size state', () => {
    expect(fromState(toState(box(10, 20, 30, 40)))).toEqual(box(10, 20, 30, 40));
  });

  it.each([
    { b: box(-5, -5, 20, 20), want: { x1: 0, y1: 0, x2: 15, y2: 15 } },
    { b: box(90, 40, 30, 30), want: { x1: 90, y1: 40, x2: 100, y2: 50 } },
    { b: box(200, 200, 10, 10), want: { x1: 99, y1: 49, x2: 100, y2: 50 } },
    { b: box(10.4, 10.6, 5.2, 5.2), want: { x1: 10, y1: 10, x2: 16, y2: 16 } },
  ])('clips $b to a 100×50 frame', ({ b, want }) => {
    expect(pixelBox(b, 100, 50)).toEqual(want);
  });

  it('pads a box on every side and stays inside the frame', () => {
    expect(padBox(box(10, 10, 20, 10), 0.5, 100, 100)).toEqual({ x1: 0, y1: 5, x2: 40, y2: 25 });
  });
});
