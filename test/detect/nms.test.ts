import { describe, expect, it } from 'vitest';
import { dropContained, nmsPerClass } from '../../src/detect/nms.js';
import { iou } from '../../src/shared/box.js';

const box = (x1: number, y1: number, x2: number, y2: number, score: number, classId = 0) => ({ x1, y1, x2, y2, score, classId });

describe('iou', () => {
  it.each([
    [box(0, 0, 10, 10, 1), box(0, 0, 10, 10, 1), 1],
    [box(0, 0, 10, 10, 1), box(5, 0, 15, 10, 1), 50 / 150],
    [box(0, 0, 10, 10, 1), box(10, 0, 20, 10, 1), 0],
    [box(0, 0, 10, 10, 1), box(2, 2, 4, 4, 1), 4 / 100],
  ])('iou(%o, %o) = %f', (a, b, want) => expect(iou(a, b)).toBeCloseTo(want, 6));
});

describe('nmsPerClass', () => {
  it('suppresses a lower-scored overlapping box of the same class', () => {
    const kept = nmsPerClass([box(0, 0, 10, 10, 0.6), box(1, 0, 11, 10, 0.9), box(50, 50, 60, 60, 0.5)], 0.45);
    expect(kept.map((b) => b.score)).toEqual([0.9, 0.5]);
  });

  it('keeps overlapping boxes of different classes (a rider on a motorcycle)', () => {
    const kept = nmsPerClass([box(0, 0, 10, 10, 0.9, 0), box(0, 0, 10, 10, 0.8, 3)], 0.45);
    expect(kept.map((b) => b.classId)).toEqual([0, 3]);
  });

  it('keeps boxes overlapping exactly at the threshold and suppresses above it', () => {
    // IoU of these two is 50/150 = 0.333…
    const pair = [box(0, 0, 10, 10, 0.9), box(5, 0, 15, 10, 0.8)];
    expect(nmsPerClass(pair, 0.34)).toHaveLength(2);
    expect(nmsPerClass(pair, 0.33)).toHaveLength(1);
  });

  it('stops at maxKept', () => {
    const many = Array.from({ length: 10 }, (_, i) => box(i * 20, 0, i * 20 + 10, 10, i / 10));
    expect(nmsPerClass(many, 0.5, 3).map((b) => b.score)).toEqual([0.9, 0.8, 0.7]);
  });
});

describe('dropContained', () => {
  // a 20x20 box at 0.9 and each candidate below it; cover 0.6 of the smaller box's area
  it.each([
    { what: 'a small box wholly inside a surer large one', other: box(5, 5, 12, 12, 0.5), kept: [0.9] },
    { what: 'an offset box over 0.7 of its area (IoU 0.54: NMS keeps it)', other: box(6, 0, 26, 20, 0.5), kept: [0.9] },
    { what: 'an offset box over 0.5 of its area', other: box(10, 0, 30, 20, 0.5), kept: [0.9, 0.5] },
    { what: 'a box beside it (a passenger\'s head)', other: box(20, 0, 40, 20, 0.5), kept: [0.9, 0.5] },
    { what: 'a surer box inside a less sure one: the surer stays', other: box(5, 5, 12, 12, 0.95), kept: [0.95] },
  ])('$what', ({ other, kept }) => {
    expect(dropContained([box(0, 0, 20, 20, 0.9), other], 0.6).map((b) => b.score)).toEqual(kept);
  });
});
