import { describe, expect, it } from 'vitest';
import { plateCandidates, textBoxes, type TextBox } from '../../src/detect/text-boxes.js';

/** A W×H probability map with rectangles of probability p. */
function map(W: number, H: number, rects: Array<[number, number, number, number, number]>): Float32Array {
  const m = new Float32Array(W * H);
  for (const [x1, y1, x2, y2, p] of rects) for (let y = y1; y < y2; y++) for (let x = x1; x < x2; x++) m[y * W + x] = p;
  return m;
}

const opts = { threshold: 0.3, boxThreshold: 0.5, minPixels: 4, unclipRatio: 0, width: 32, height: 32 };

describe('textBoxes', () => {
  it('finds each connected component as a box (x2/y2 exclusive)', () => {
    const m = map(32, 32, [
      [2, 2, 10, 5, 0.9],
      [20, 20, 30, 26, 0.8],
    ]);
    const boxes = textBoxes(m, 32, opts);
    expect(boxes.map(({ x1, y1, x2, y2 }) => [x1, y1, x2, y2])).toEqual([
      [2, 2, 10, 5],
      [20, 20, 30, 26],
    ]);
    expect(boxes[0]!.score).toBeCloseTo(0.9, 5);
  });

  it('drops tiny and faint components', () => {
    const m = map(32, 32, [
      [1, 1, 2, 3, 0.9], // 2 pixels
      [10, 10, 20, 20, 0.4], // mean 0.4 < 0.5
    ]);
    expect(textBoxes(m, 32, opts)).toEqual([]);
  });

  it('grows boxes by DB unclip: area × ratio / perimeter', () => {
    const m = map(32, 32, [[10, 10, 20, 14, 0.9]]); // 10×4: d = 40 × 1.5 / 28
    const [box] = textBoxes(m, 32, { ...opts, unclipRatio: 1.5 });
    const d = (40 * 1.5) / 28;
    expect(box!.x1).toBeCloseTo(10 - d, 5);
    expect(box!.y2).toBeCloseTo(14 + d, 5);
  });

  it('ignores the letterbox padding outside width × height', () => {
    const m = map(32, 32, [[20, 2, 30, 6, 0.9]]);
    expect(textBoxes(m, 32, { ...opts, width: 16 })).toEqual([]);
  });
});

const tb = (x1: number, y1: number, x2: number, y2: number, score = 0.9): TextBox => ({ x1, y1, x2, y2, score });

describe('plateCandidates', () => {
  it('groups two stacked rows into one plate, rows top to bottom', () => {
    const [c] = plateCandidates([tb(12, 22, 38, 30), tb(10, 10, 40, 20)], 50);
    expect(c!.rows.map((r) => r.y1)).toEqual([10, 22]);
    expect(c!.box).toEqual({ x1: 10, y1: 10, x2: 40, y2: 30 });
  });

  it('keeps side-by-side lines apart and ranks the central, larger one first', () => {
    const out = plateCandidates([tb(0, 10, 8, 14), tb(18, 30, 34, 40)], 50);
    expect(out).toHaveLength(2);
    expect(out[0]!.box.x1).toBe(18);
  });

  it('does not merge lines far apart vertically', () => {
    expect(plateCandidates([tb(10, 0, 40, 8), tb(10, 30, 40, 38)], 50)).toHaveLength(2);
  });
});
