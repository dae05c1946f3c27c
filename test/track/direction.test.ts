import { describe, expect, it } from 'vitest';
import { travelDirection } from '../../src/track/direction.js';

const box = (cx: number, bottom: number, w: number, h: number) => ({ x1: cx - w / 2, y1: bottom - h, x2: cx + w / 2, y2: bottom });

describe('travelDirection', () => {
  it.each([
    { what: 'rider coming down the picture, growing', first: box(600, 300, 60, 100), last: box(620, 500, 90, 150), direction: 'towards', heading: 84 },
    { what: 'rider seen from behind, going up and shrinking', first: box(600, 600, 120, 200), last: box(580, 380, 70, 120), direction: 'away', heading: -95 },
    { what: 'crossing from left to right, same size', first: box(100, 400, 100, 100), last: box(700, 410, 100, 100), direction: 'across', heading: 1 },
    { what: 'crossing right to left', first: box(700, 400, 100, 100), last: box(100, 400, 100, 100), direction: 'across', heading: 180 },
    { what: 'waiting at a light', first: box(400, 400, 100, 100), last: box(405, 402, 101, 101), direction: 'still', heading: null },
    { what: 'growing in place (coming straight at a low camera)', first: box(400, 400, 80, 80), last: box(400, 405, 110, 110), direction: 'towards', heading: null },
  ])('$what', ({ first, last, direction, heading }) => {
    expect(travelDirection(first, last)).toEqual({ direction, headingDeg: heading });
  });
});
