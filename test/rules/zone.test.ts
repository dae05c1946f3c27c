import { describe, expect, it } from 'vitest';
import { inZone, pointInPolygon, type Point } from '../../src/rules/zone.js';
import { box } from '../track/fixtures.js';

const triangle: Point[] = [[0, 0], [1, 0], [0, 1]];
const lowerHalf: Point[] = [[0, 0.5], [1, 0.5], [1, 1], [0, 1]];

describe('zone', () => {
  it.each([
    { x: 0.2, y: 0.2, inside: true },
    { x: 0.6, y: 0.6, inside: false },
    { x: -0.1, y: 0.5, inside: false },
    { x: 0.49, y: 0.49, inside: true },
  ])('($x, $y) in the triangle: $inside', ({ x, y, inside }) => {
    expect(pointInPolygon(x, y, triangle)).toBe(inside);
  });

  it.each([
    { name: 'wheels in the lower half, body above', b: box(100, 60, 50, 40), inside: true },
    { name: 'whole bike in the upper half', b: box(100, 10, 50, 40), inside: false },
  ])('a motorcycle counts by the bottom centre of its box: $name', ({ b, inside }) => {
    expect(inZone(b, 320, 180, lowerHalf)).toBe(inside);
    expect(inZone(b, 320, 180, null)).toBe(true);
  });
});
