import { describe, expect, it } from 'vitest';
import { fitsTile, planMosaic, wholeFrameTiles } from '../../src/detect/plate-mosaic.js';

const sq = (x: number, side: number) => ({ x1: x, y1: 0, x2: x + side, y2: side });

describe('planMosaic (2×2 tiles of a 416 input: 208 px)', () => {
  it.each([
    { what: 'a region of 208 px fits unshrunk', side: 208, shrink: 1, fits: true },
    { what: 'a region of 209 px does not, at shrink 1', side: 209, shrink: 1, fits: false },
    { what: 'a region of 300 px fits at shrink 1.5 (up to 312 px)', side: 300, shrink: 1.5, fits: true },
    { what: 'a region of 313 px does not, at shrink 1.5', side: 313, shrink: 1.5, fits: false },
  ])('$what', ({ side, shrink, fits }) => {
    expect(fitsTile(sq(0, side), 416, shrink)).toBe(fits);
  });

  it.each([
    { what: 'nothing to search', sides: [], shrink: 1, alone: [], runs: [] },
    { what: 'skips regions not searched (null)', sides: [100, null, 100], shrink: 1, alone: [], runs: [[0, 2]] },
    { what: 'five small regions: a run of four, then one of one', sides: [100, 100, 100, 100, 100], shrink: 1, alone: [], runs: [[0, 1, 2, 3], [4]] },
    { what: 'a large region runs alone, small ones share', sides: [100, 400, 150], shrink: 1, alone: [1], runs: [[0, 2]] },
    { what: 'with shrink 2 a 400 px region shares the run', sides: [100, 400, 150], shrink: 2, alone: [], runs: [[0, 1, 2]] },
    { what: 'past shrink 2 (416 px) still alone', sides: [417, 100], shrink: 2, alone: [0], runs: [[1]] },
    { what: 'shrink 0 (mosaic off): every searched region alone', sides: [100, null, 50], shrink: 0, alone: [0, 2], runs: [] },
  ])('$what', ({ sides, shrink, alone, runs }) => {
    const plan = planMosaic(sides.map((s, i) => (s === null ? null : sq(i * 500, s))), 416, shrink);
    expect(plan.alone).toEqual(alone);
    expect(plan.runs.map((r) => r.map((m) => m.index))).toEqual(runs);
  });

  it('lays a run\'s tiles out row by row, each 208 px', () => {
    const plan = planMosaic([sq(0, 50), sq(100, 50), sq(200, 50), sq(300, 50)], 416, 1);
    expect(plan.runs[0]!.map((m) => [m.tile.x, m.tile.y, m.tile.width, m.tile.height])).toEqual([
      [0, 0, 208, 208],
      [208, 0, 208, 208],
      [0, 208, 208, 208],
      [208, 208, 208, 208],
    ]);
    expect(plan.runs[0]![2]!.tile.region).toEqual(sq(200, 50));
  });
});

describe('wholeFrameTiles (the frame at 1× and at 1/zoom_out in one 416 input)', () => {
  it.each([
    // 1920×1080 at 1×: 416×234 on top; the 182 px band below holds 1/2 (208×117).
    { what: '16:9, zoom 2', w: 1920, h: 1080, z: 2, want: [[0, 0, 416, 234], [104, 234, 208, 182]] },
    { what: '9:16 (portrait): side by side', w: 1080, h: 1920, z: 2, want: [[0, 0, 234, 416], [234, 104, 182, 208]] },
    { what: '16:9, zoom 3: 139×78 in the band', w: 1920, h: 1080, z: 3, want: [[0, 0, 416, 234], [138, 234, 139, 182]] },
    { what: '4:3: the band (104 px) is narrower than 1/2 (156 px)', w: 1280, h: 960, z: 2, want: null },
    { what: 'square: no band', w: 800, h: 800, z: 2, want: null },
    { what: 'zoom 1: no second search', w: 1920, h: 1080, z: 1, want: null },
  ])('$what', ({ w, h, z, want }) => {
    const t = wholeFrameTiles(w, h, 416, z);
    expect(t && t.map((x) => [x.x, x.y, x.width, x.height])).toEqual(want);
    if (t) expect(t[1].region).toEqual({ x1: 0, y1: 0, x2: w, y2: h });
  });

  it('draws both at the scale of their own runs (1× and 1/zoom of the long side)', () => {
    const [a, b] = wholeFrameTiles(1920, 1080, 416, 2)!;
    expect(Math.min(a.width / 1920, a.height / 1080)).toBeCloseTo(416 / 1920, 3);
    expect(Math.min(b.width / 1920, b.height / 1080)).toBeCloseTo(208 / 1920, 3);
  });
});
