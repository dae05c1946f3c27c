import { describe, expect, it } from 'vitest';
import { MotionSchema } from '../../src/config/motion.js';
import { MotionDetector, type RgbFrame } from '../../src/motion/motion.js';
import { changedComponents, mergeBoxes } from '../../src/motion/components.js';
import { downscaleGrey, insidePolygon, rasterizeMask } from '../../src/motion/grey.js';

const W = 320;
const H = 180;

/** A textured grey background (deterministic), with optional filled rectangles and a brightness gain. */
function frame(opts: { rects?: Array<[number, number, number, number, number]>; gain?: number; noise?: number; seed?: number } = {}): RgbFrame {
  const data = new Uint8Array(W * H * 3);
  let s = opts.seed ?? 1;
  const rnd = (): number => ((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff) - 0.5;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      let v = 80 + ((x >> 4) + (y >> 4)) % 3 * 20;
      for (const [x1, y1, x2, y2, g] of opts.rects ?? []) if (x >= x1 && x < x2 && y >= y1 && y < y2) v = g;
      v = v * (opts.gain ?? 1) + (opts.noise ?? 0) * rnd();
      const c = Math.max(0, Math.min(255, Math.round(v)));
      data.set([c, c, c], (y * W + x) * 3);
    }
  }
  return { width: W, height: H, data };
}

const settings = (over: Partial<ReturnType<typeof MotionSchema.parse>> = {}) => ({ ...MotionSchema.parse({}), ...over });

describe('motion detector', () => {
  it('starts its background on the first frame and reports no motion then', () => {
    const m = new MotionDetector(settings());
    expect(m.detect(frame())).toEqual({ boxes: [], fraction: 0, reset: true });
    expect(m.detect(frame())).toEqual({ boxes: [], fraction: 0, reset: false });
  });

  it('finds a rider-sized object where it appears, in frame pixels', () => {
    const m = new MotionDetector(settings());
    m.detect(frame());
    const r = m.detect(frame({ rects: [[100, 60, 140, 120, 230]] }));
    expect(r.reset).toBe(false);
    expect(r.boxes).toHaveLength(1);
    const b = r.boxes[0]!;
    // The grey copy is 160x90 (a 2x downscale) and dilated by one pixel: a few pixels of slack.
    expect(b.x1).toBeGreaterThanOrEqual(94);
    expect(b.x1).toBeLessThanOrEqual(100);
    expect(b.x2).toBeGreaterThanOrEqual(140);
    expect(b.x2).toBeLessThanOrEqual(146);
    expect(b.y1).toBeLessThanOrEqual(60);
    expect(b.y2).toBeGreaterThanOrEqual(120);
    expect(r.fraction).toBeGreaterThan(0.03);
    expect(r.fraction).toBeLessThan(0.06);
  });

  it.each([
    ['camera noise of ±20 grey levels', { noise: 40, seed: 7 }],
    ['a 25% brighter picture (exposure, clouds)', { gain: 1.25 }],
    ['a 30% darker picture', { gain: 0.7 }],
  ])('reports no motion for %s', (_name, change) => {
    const m = new MotionDetector(settings());
    m.detect(frame({ noise: 'noise' in change ? 40 : 0, seed: 3 }));
    const r = m.detect(frame(change));
    expect(r.boxes).toEqual([]);
    expect(r.fraction).toBeLessThan(0.01);
  });

  it('resets instead of flooding when most of the picture changes at once', () => {
    const m = new MotionDetector(settings());
    m.detect(frame());
    const r = m.detect(frame({ rects: [[0, 0, W, H, 250]] }));
    expect(r).toEqual({ boxes: [], fraction: 0, reset: true });
    // The new picture is the background now.
    expect(m.detect(frame({ rects: [[0, 0, W, H, 250]] })).boxes).toEqual([]);
  });

  it('ignores motion inside the mask (timestamp overlay) but not outside it', () => {
    const m = new MotionDetector(settings({ mask: [[[0, 0], [0.5, 0], [0.5, 0.2], [0, 0.2]]] }));
    m.detect(frame());
    const inMask = m.detect(frame({ rects: [[10, 5, 120, 30, 250]] }));
    expect(inMask.boxes).toEqual([]);
    const outside = m.detect(frame({ rects: [[200, 100, 240, 150, 250]] }));
    expect(outside.boxes).toHaveLength(1);
  });

  it('ignores changed areas smaller than contour_area (rain drops)', () => {
    const m = new MotionDetector(settings({ contour_area: 30 }));
    m.detect(frame());
    const r = m.detect(frame({ rects: [[50, 50, 52, 52, 255], [200, 100, 202, 102, 255]] }));
    expect(r.boxes).toEqual([]);
    expect(r.fraction).toBeGreaterThan(0);
  });

  it('lets a parked object fade into the background at a quarter of the learning rate', () => {
    const m = new MotionDetector(settings({ learning_rate: 0.2 }));
    m.detect(frame());
    const parked = frame({ rects: [[100, 60, 140, 120, 230]] });
    let frames = 0;
    while (m.detect(parked).boxes.length > 0) frames++;
    // Changed pixels learn at 0.05: |230-100| * 0.95^n < 25 after ~32 frames.
    expect(frames).toBeGreaterThanOrEqual(26);
    expect(frames).toBeLessThanOrEqual(36);
  });

  it('starts again when the frame size changes', () => {
    const m = new MotionDetector(settings());
    m.detect(frame());
    const small = { width: 160, height: 90, data: new Uint8Array(160 * 90 * 3) };
    expect(m.detect(small).reset).toBe(true);
  });
});

describe('grey copy, mask and components', () => {
  it('averages cells into BT.601 grey', () => {
    const f = { width: 4, height: 2, data: new Uint8Array([255, 0, 0, 255, 0, 0, 0, 255, 0, 0, 255, 0, 0, 0, 255, 0, 0, 255, 0, 0, 0, 0, 0, 0]) };
    const out = new Uint8Array(2);
    downscaleGrey(f, 2, 1, out);
    // Rows R R G G / B B K K: the left cell is two red and two blue pixels, the right two green and two black.
    expect(out[0]).toBe(Math.round((77 * 255 * 2 + 29 * 255 * 2) / (4 * 256)));
    expect(out[1]).toBe(Math.round((150 * 255 * 2) / (4 * 256)));
  });

  it.each([
    [0.5, 0.5, true],
    [0.05, 0.5, false],
    [0.95, 0.95, false],
  ])('point (%f, %f) inside the diamond: %s', (x, y, want) => {
    expect(insidePolygon(x, y, [[0.5, 0.1], [0.9, 0.5], [0.5, 0.9], [0.1, 0.5]])).toBe(want);
  });

  it('rasterises mask polygons to 0 inside, 1 outside', () => {
    const mask = rasterizeMask([[[0, 0], [0.5, 0], [0.5, 1], [0, 1]]], 4, 2);
    expect([...mask]).toEqual([0, 0, 1, 1, 0, 0, 1, 1]);
  });

  it('finds 8-connected areas with their pixel counts over a minimum', () => {
    // prettier-ignore
    const on = new Uint8Array([
      1, 1, 0, 0, 0,
      0, 1, 0, 0, 1,
      0, 0, 1, 0, 0,
    ]);
    expect(changedComponents(on, 5, 3, 1)).toEqual([{ x1: 0, y1: 0, x2: 3, y2: 3 }, { x1: 4, y1: 1, x2: 5, y2: 2 }]);
    expect(changedComponents(on, 5, 3, 2)).toEqual([{ x1: 0, y1: 0, x2: 3, y2: 3 }]);
  });

  it.each([
    ['overlapping boxes merge', [{ x1: 0, y1: 0, x2: 4, y2: 4 }, { x1: 3, y1: 3, x2: 6, y2: 6 }], [{ x1: 0, y1: 0, x2: 6, y2: 6 }]],
    ['boxes one pixel apart merge', [{ x1: 0, y1: 0, x2: 2, y2: 2 }, { x1: 3, y1: 0, x2: 5, y2: 2 }], [{ x1: 0, y1: 0, x2: 5, y2: 2 }]],
    ['distant boxes stay apart', [{ x1: 0, y1: 0, x2: 2, y2: 2 }, { x1: 10, y1: 0, x2: 12, y2: 2 }], [{ x1: 0, y1: 0, x2: 2, y2: 2 }, { x1: 10, y1: 0, x2: 12, y2: 2 }]],
    ['a chain merges transitively', [{ x1: 0, y1: 0, x2: 2, y2: 2 }, { x1: 6, y1: 0, x2: 8, y2: 2 }, { x1: 2, y1: 0, x2: 6, y2: 1 }], [{ x1: 0, y1: 0, x2: 8, y2: 2 }]],
  ])('%s', (_name, boxes, want) => {
    expect(mergeBoxes(boxes)).toEqual(want);
  });
});
