import { describe, expect, it } from 'vitest';
import { decodePlateHead, pickPlate, plateRegionOf } from '../../src/detect/plate-detector.js';
import { isAgentError } from '../../src/shared/errors.js';

/** Rows of batch, x1, y1, x2, y2, class, score. */
const head = (rows: number[][]) => ({ data: Float32Array.from(rows.flat()), dims: [rows.length, 7] });

describe('decodePlateHead ([N,7] end-to-end head)', () => {
  it.each([
    { what: 'one plate', rows: [[0, 10, 20, 50, 35, 0, 0.8]], want: [{ x1: 10, y1: 20, x2: 50, y2: 35, score: 0.8 }] },
    { what: 'no plate (N = 0)', rows: [], want: [] },
    { what: 'under the threshold', rows: [[0, 10, 20, 50, 35, 0, 0.1]], want: [] },
    { what: 'at the threshold', rows: [[0, 1, 2, 3, 4, 0, 0.2]], want: [{ x1: 1, y1: 2, x2: 3, y2: 4, score: 0.2 }] },
    { what: 'another batch item', rows: [[1, 10, 20, 50, 35, 0, 0.9]], want: [] },
    { what: 'an empty box', rows: [[0, 50, 20, 50, 35, 0, 0.9]], want: [] },
    { what: 'a NaN score', rows: [[0, 10, 20, 50, 35, 0, Number.NaN]], want: [] },
    {
      what: 'two plates, best first',
      rows: [[0, 0, 0, 10, 5, 0, 0.4], [0, 100, 100, 140, 120, 0, 0.7]],
      want: [{ x1: 100, y1: 100, x2: 140, y2: 120, score: 0.7 }, { x1: 0, y1: 0, x2: 10, y2: 5, score: 0.4 }],
    },
  ])('$what', ({ rows, want }) => {
    const t = head(rows);
    const got = decodePlateHead(t.data, t.dims, 0.2);
    expect(got.length).toBe(want.length);
    got.forEach((b, i) => {
      const w = want[i]!;
      expect(b.x1).toBeCloseTo(w.x1, 5);
      expect(b.y2).toBeCloseTo(w.y2, 5);
      expect(b.score).toBeCloseTo(w.score, 5);
    });
  });

  it.each([
    { dims: [1, 6], what: '[1,6] (a six-column head)' },
    { dims: [1, 300, 7], what: 'three dimensions' },
    { dims: [2, 7], what: 'fewer values than rows' },
  ])('refuses $what with a shape error', ({ dims }) => {
    try {
      decodePlateHead(new Float32Array(7), dims, 0.2);
      expect.unreachable();
    } catch (err) {
      expect(isAgentError(err) && err.code).toBe('RSA_MODEL_SHAPE');
      expect((err as Error).message).toContain('[N,7]');
    }
  });
});

describe('where a vehicle\'s plate is searched', () => {
  it('the vehicle box, widened at the sides and extended below', () => {
    expect(plateRegionOf({ x1: 100, y1: 100, x2: 200, y2: 300 }, 0.3, 0.1)).toEqual({ x1: 90, y1: 100, x2: 210, y2: 360 });
  });

  it('prefers the plate on the vehicle\'s axis to a stronger one at its side', () => {
    const moto = { x1: 100, y1: 100, x2: 200, y2: 300 };
    const own = { box: { x1: 135, y1: 250, x2: 165, y2: 270 }, rows: [], score: 0.5 };
    const neighbour = { box: { x1: 195, y1: 250, x2: 225, y2: 270 }, rows: [], score: 0.7 };
    expect(pickPlate([neighbour, own], moto)).toBe(own);
    expect(pickPlate([], moto)).toBeNull();
  });
});
