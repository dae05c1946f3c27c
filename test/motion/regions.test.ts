import { describe, expect, it } from 'vitest';
import { RegionsSchema } from '../../src/config/motion.js';
import { RegionGate } from '../../src/motion/gate.js';
import type { MotionResult } from '../../src/motion/motion.js';
import { cutByRegion, planRegions, squareAround, tileRegions } from '../../src/motion/regions.js';
import type { Box, Detection } from '../../src/shared/types.js';

const W = 1280;
const H = 720;
const opts = { width: W, height: H, size: 416, maxRegions: 3 };
const b = (x1: number, y1: number, x2: number, y2: number): Box => ({ x1, y1, x2, y2 });

describe('planRegions', () => {
  it.each<[string, Box[], { mode: string; regions?: Box[] }]>([
    ['no boxes: nothing to look at', [], { mode: 'none', regions: [] }],
    ['one small box: one model-sized square centred on it', [b(600, 300, 660, 380)], { mode: 'regions', regions: [b(422, 132, 838, 548)] }],
    ['a box at the corner: the square is moved inside the frame', [b(0, 0, 40, 40)], { mode: 'regions', regions: [b(0, 0, 416, 416)] }],
    ['two boxes close together share one square', [b(600, 300, 660, 380), b(680, 310, 720, 370)], { mode: 'regions', regions: [b(422, 132, 838, 548)] }],
    ['a box as tall as the frame: the whole frame', [b(100, 0, 300, 720)], { mode: 'whole', regions: [b(0, 0, W, H)] }],
  ])('%s', (_name, boxes, want) => {
    const plan = planRegions(boxes, opts);
    expect(plan.mode).toBe(want.mode);
    if (want.regions) expect(plan.regions).toEqual(want.regions);
  });

  it('uses a larger square for a box larger than the model input, with a margin', () => {
    const plan = planRegions([b(100, 100, 600, 500)], opts);
    expect(plan.mode).toBe('regions');
    const r = plan.regions[0]!;
    expect(r.x2 - r.x1).toBe(r.y2 - r.y1);
    expect(r.x2 - r.x1).toBe(650);
    expect(r.x1 <= 100 && r.y1 <= 100 && r.x2 >= 600 && r.y2 >= 500).toBe(true);
  });

  it('scans the whole frame when more regions than max_regions would be needed', () => {
    const far = [b(10, 10, 50, 50), b(1200, 10, 1240, 50), b(10, 660, 50, 700), b(1200, 660, 1240, 700)];
    expect(planRegions(far.slice(0, 3), opts).mode).toBe('regions');
    expect(planRegions(far, opts).mode).toBe('whole');
  });

  it('every box of interest lies inside some region', () => {
    const boxes = [b(30, 200, 90, 320), b(500, 100, 540, 160), b(900, 500, 1000, 700)];
    const plan = planRegions(boxes, { ...opts, maxRegions: 8 });
    for (const x of boxes) expect(plan.regions.some((r) => r.x1 <= x.x1 && r.y1 <= x.y1 && r.x2 >= x.x2 && r.y2 >= x.y2)).toBe(true);
  });
});

describe('tiles and cuts', () => {
  it('squareAround shrinks to the frame when the side is larger', () => {
    expect(squareAround(b(10, 10, 20, 20), 1000, 640, 480)).toEqual(b(0, 0, 640, 480));
  });

  it.each([
    [1280, 720, 624, 6],
    [1920, 1080, 624, 8],
    [640, 640, 624, 4],
    [416, 416, 624, 0],
  ])('%ix%i with %ipx tiles: %i overlapping tiles covering the image', (w, h, side, n) => {
    const tiles = tileRegions(w, h, side);
    expect(tiles).toHaveLength(n);
    if (n === 0) return;
    for (let y = 0; y < h; y += 7) for (let x = 0; x < w; x += 7) expect(tiles.some((t) => x >= t.x1 && x < t.x2 && y >= t.y1 && y < t.y2)).toBe(true);
    // Neighbouring tiles overlap by at least a quarter of a side.
    const xs = [...new Set(tiles.map((t) => t.x1))].sort((a, c) => a - c);
    for (let i = 1; i < xs.length; i++) expect(xs[i - 1]! + side - xs[i]!).toBeGreaterThanOrEqual(side / 4);
    for (const t of tiles) expect(t.x1 >= 0 && t.y1 >= 0 && t.x2 <= w && t.y2 <= h).toBe(true);
  });

  it.each<[string, Box, boolean]>([
    ['inside the region', b(500, 200, 600, 300), false],
    ['touching its inner left edge', b(422, 200, 480, 300), true],
    ['touching its inner bottom edge', b(500, 500, 560, 548), true],
  ])('a detection %s is cut: %s', (_name, det, want) => {
    expect(cutByRegion(det, b(422, 132, 838, 548), W, H)).toBe(want);
  });

  it('a detection on a region edge that is the frame edge is not cut', () => {
    expect(cutByRegion(b(0, 10, 60, 100), b(0, 0, 416, 416), W, H)).toBe(false);
  });
});

const cfg = { ...RegionsSchema.parse({}), whole_every_frames: 0, stationary_after_checks: 0, size: 416 };
const still: MotionResult = { boxes: [], fraction: 0, reset: false };
const moving = (...boxes: Box[]): MotionResult => ({ boxes, fraction: 0.02, reset: false });
const moto = (box: Box): Detection => ({ box, score: 0.8, classId: 3, role: 'motorcycle' });

describe('RegionGate', () => {
  it('with no motion and nothing remembered, runs no inference', () => {
    const g = new RegionGate(cfg);
    expect(g.plan(0, W, H, still)).toMatchObject({ mode: 'none', reason: 'idle' });
  });

  it('scans the whole frame every whole_every_frames frames', () => {
    const g = new RegionGate({ ...cfg, whole_every_frames: 10 });
    const p0 = g.plan(0, W, H, still);
    expect(p0).toMatchObject({ mode: 'whole', reason: 'periodic' });
    g.observe(0, p0, []);
    expect(g.plan(5, W, H, still).mode).toBe('none');
    expect(g.plan(10, W, H, still)).toMatchObject({ mode: 'whole', reason: 'periodic' });
  });

  it('scans the whole frame when motion covers more than whole_frame_motion', () => {
    const g = new RegionGate(cfg);
    expect(g.plan(0, W, H, { boxes: [b(0, 0, 900, 500)], fraction: 0.5, reset: false })).toMatchObject({ mode: 'whole', reason: 'coverage' });
  });

  it('looks at a moving object where its velocity predicts it', () => {
    const g = new RegionGate(cfg);
    const p0 = g.plan(0, W, H, moving(b(100, 300, 160, 400)));
    g.observe(0, p0, [moto(b(100, 300, 160, 400))]);
    const p1 = g.plan(1, W, H, moving(b(140, 300, 200, 400)));
    g.observe(1, p1, [moto(b(140, 300, 200, 400))]);
    // Velocity +40 px/frame: predicted at x 180..240 in frame 2, where motion is too.
    const p2 = g.plan(2, W, H, moving(b(180, 300, 240, 400)));
    expect(p2.mode).toBe('regions');
    expect(p2.regions.some((r) => r.x1 <= 180 && r.x2 >= 240)).toBe(true);
  });

  it('re-checks a stopped object every recheck_frames, and forgets it after two misses', () => {
    const g = new RegionGate({ ...cfg, recheck_frames: 4 });
    const p0 = g.plan(0, W, H, moving(b(600, 300, 660, 380)));
    g.observe(0, p0, [moto(b(600, 300, 660, 380))]);
    expect(g.remembered).toBe(1);
    for (let seq = 1; seq < 4; seq++) expect(g.plan(seq, W, H, still).mode).toBe('none');
    const p4 = g.plan(4, W, H, still);
    expect(p4).toMatchObject({ mode: 'regions', reason: 'tracked' });
    g.observe(4, p4, [moto(b(601, 300, 661, 380))]);
    expect(g.remembered).toBe(1);
    // Gone: missed at two re-checks, then nothing is scanned any more.
    g.observe(8, g.plan(8, W, H, still), []);
    expect(g.remembered).toBe(1);
    g.observe(12, g.plan(12, W, H, still), []);
    expect(g.remembered).toBe(0);
    expect(g.plan(16, W, H, still).mode).toBe('none');
  });

  it('forgets an object whose predicted box has left the picture', () => {
    const g = new RegionGate({ ...cfg, recheck_frames: 1 });
    const p0 = g.plan(0, W, H, moving(b(100, 300, 160, 400)));
    g.observe(0, p0, [moto(b(100, 300, 160, 400))]);
    const p1 = g.plan(1, W, H, moving(b(70, 300, 130, 400)));
    g.observe(1, p1, [moto(b(70, 300, 130, 400))]);
    expect(g.remembered).toBe(1);
    // -30 px per frame: at frame 5 the predicted box is x -50..10, mostly outside the picture.
    expect(g.remembered).toBe(1);
    expect(g.plan(5, W, H, still).mode).toBe('none');
    expect(g.remembered).toBe(0);
  });

  it('leaves a parked object to the whole-frame passes after stationary_after_checks still re-checks', () => {
    const g = new RegionGate({ ...cfg, recheck_frames: 2, stationary_after_checks: 3, whole_every_frames: 20 });
    const parked = moto(b(600, 300, 660, 380));
    const p0 = g.plan(0, W, H, still);
    expect(p0.mode).toBe('whole');
    g.observe(0, p0, [parked]);
    const modes: string[] = [];
    for (let seq = 1; seq < 20; seq++) {
      const p = g.plan(seq, W, H, still);
      modes.push(p.mode);
      g.observe(seq, p, p.mode === 'none' ? [] : [parked]);
    }
    // Re-checked at 2, 4 and 6; stationary from then on: nothing until the periodic pass at 20.
    expect(modes.map((m, i) => (m === 'none' ? '' : String(i + 1))).filter(Boolean)).toEqual(['2', '4', '6']);
    const p20 = g.plan(20, W, H, still);
    expect(p20.mode).toBe('whole');
    g.observe(20, p20, [parked]);
    // Motion on it brings it back into a region.
    expect(g.plan(21, W, H, moving(b(610, 300, 670, 380))).mode).toBe('regions');
  });
});
