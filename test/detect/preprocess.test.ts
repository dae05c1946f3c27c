import { describe, expect, it } from 'vitest';
import { allocTensor, axisTaps, fillTensor, planFit, toImageBox, toTensorBox, type RgbImage, type TensorSpec } from '../../src/detect/preprocess.js';

const spec = (over: Partial<TensorSpec> = {}): TensorSpec => ({
  width: 8,
  height: 8,
  channelOrder: 'rgb',
  layout: 'nchw',
  dtype: 'float32',
  scale: 1,
  mean: [0, 0, 0],
  std: [1, 1, 1],
  resize: 'letterbox-top-left',
  padValue: 114,
  interpolation: 'bilinear',
  ...over,
});

/** An image whose every pixel is (r, g, b). */
function solid(width: number, height: number, rgb: [number, number, number]): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) data.set(rgb, i * 3);
  return { width, height, data };
}

/** Pixel (x, y) has R = x, G = y, B = 200. */
function ramp(width: number, height: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set([x, y, 200], (y * width + x) * 3);
  return { width, height, data };
}

const whole = (img: RgbImage) => ({ x1: 0, y1: 0, x2: img.width, y2: img.height });

describe('planFit', () => {
  it.each([
    { what: 'wide image, top-left', region: { x1: 0, y1: 0, x2: 1280, y2: 720 }, resize: 'letterbox-top-left' as const, w: 416, h: 416, draw: [416, 234], off: [0, 0] },
    { what: 'wide image, centred', region: { x1: 0, y1: 0, x2: 1280, y2: 720 }, resize: 'letterbox-center' as const, w: 640, h: 640, draw: [640, 360], off: [0, 140] },
    { what: 'tall crop, centred', region: { x1: 10, y1: 10, x2: 60, y2: 110 }, resize: 'letterbox-center' as const, w: 64, h: 64, draw: [32, 64], off: [16, 0] },
    { what: 'stretch', region: { x1: 0, y1: 0, x2: 53, y2: 40 }, resize: 'stretch' as const, w: 128, h: 64, draw: [128, 64], off: [0, 0] },
  ])('$what', ({ region, resize, w, h, draw, off }) => {
    const fit = planFit(region, { width: w, height: h, resize });
    expect([fit.drawWidth, fit.drawHeight]).toEqual(draw);
    expect([fit.transform.offsetX, fit.transform.offsetY]).toEqual(off);
  });

  it.each(['letterbox-top-left', 'letterbox-center', 'stretch'] as const)('maps boxes there and back exactly (%s)', (resize) => {
    const region = { x1: 100, y1: 50, x2: 1380, y2: 770 };
    const t = planFit(region, { width: 416, height: 416, resize }).transform;
    for (const b of [
      { x1: 100, y1: 50, x2: 1380, y2: 770 },
      { x1: 517.3, y1: 300.25, x2: 640, y2: 701.5 },
      { x1: 0, y1: 0, x2: 1, y2: 1 },
    ]) {
      const back = toImageBox(toTensorBox(b, t), t);
      expect(back.x1).toBeCloseTo(b.x1, 6);
      expect(back.y1).toBeCloseTo(b.y1, 6);
      expect(back.x2).toBeCloseTo(b.x2, 6);
      expect(back.y2).toBeCloseTo(b.y2, 6);
    }
  });

  it('maps the drawn area of a letterbox onto the whole region', () => {
    const region = { x1: 0, y1: 0, x2: 1280, y2: 720 };
    const fit = planFit(region, { width: 640, height: 640, resize: 'letterbox-center' });
    const b = toImageBox({ x1: 0, y1: fit.transform.offsetY, x2: fit.drawWidth, y2: fit.transform.offsetY + fit.drawHeight }, fit.transform);
    expect(b).toEqual({ x1: 0, y1: 0, x2: 1280, y2: 720 });
  });
});

describe('fillTensor', () => {
  it('pads a letterbox with the pad value and draws the image top-left', () => {
    const img = solid(16, 8, [10, 20, 30]);
    const s = spec();
    const t = allocTensor(s) as Float32Array;
    fillTensor(img, whole(img), s, t);
    const plane = 64;
    // drawn rows 0..3, padding rows 4..7
    expect(t[0]).toBeCloseTo(10);
    expect(t[plane + 3 * 8 + 7]).toBeCloseTo(20);
    expect(t[2 * plane + 3 * 8]).toBeCloseTo(30);
    expect(t[4 * 8]).toBe(114);
    expect(t[2 * plane + 7 * 8 + 7]).toBe(114);
  });

  it('puts padding on both sides when centred', () => {
    const img = solid(16, 8, [10, 20, 30]);
    const s = spec({ resize: 'letterbox-center' });
    const t = allocTensor(s) as Float32Array;
    fillTensor(img, whole(img), s, t);
    const col0 = Array.from({ length: 8 }, (_, y) => t[y * 8]);
    expect(col0).toEqual([114, 114, 10, 10, 10, 10, 114, 114]);
  });

  it('swaps channels for BGR models', () => {
    const img = solid(8, 8, [10, 20, 30]);
    const s = spec({ channelOrder: 'bgr' });
    const t = allocTensor(s) as Float32Array;
    fillTensor(img, whole(img), s, t);
    expect([t[0], t[64], t[128]]).toEqual([30, 20, 10]);
  });

  it('normalises per channel: (pixel × scale − mean) / std', () => {
    const img = solid(8, 8, [255, 0, 51]);
    const s = spec({ scale: 1 / 255, mean: [0.5, 0.5, 0.1], std: [0.5, 0.5, 0.2] });
    const t = allocTensor(s) as Float32Array;
    fillTensor(img, whole(img), s, t);
    expect(t[0]).toBeCloseTo(1, 5);
    expect(t[64]).toBeCloseTo(-1, 5);
    expect(t[128]).toBeCloseTo(0.5, 5);
  });

  it('writes NHWC uint8 raw pixels for uint8 models (scale and mean ignored)', () => {
    const img = solid(4, 2, [1, 2, 250]);
    const s = spec({ width: 4, height: 2, layout: 'nhwc', dtype: 'uint8', resize: 'stretch', scale: 1 / 255, mean: [9, 9, 9] });
    const t = allocTensor(s);
    expect(t).toBeInstanceOf(Uint8Array);
    fillTensor(img, whole(img), s, t);
    expect(Array.from(t.subarray(0, 6))).toEqual([1, 2, 250, 1, 2, 250]);
  });

  it('fills the requested batch item only', () => {
    const img = solid(8, 8, [7, 7, 7]);
    const s = spec({ resize: 'stretch' });
    const t = allocTensor(s, 3) as Float32Array;
    fillTensor(img, whole(img), s, t, 1);
    expect(t[0]).toBe(0);
    expect(t[3 * 64]).toBe(7);
    expect(t[2 * 3 * 64]).toBe(0);
  });

  it('samples a sub-region: a 1:1 crop copies pixels exactly', () => {
    const img = ramp(32, 32);
    const s = spec({ resize: 'stretch', interpolation: 'bilinear' });
    const t = allocTensor(s) as Float32Array;
    fillTensor(img, { x1: 10, y1: 5, x2: 18, y2: 13 }, s, t);
    expect(t[0]).toBe(10); // R = x
    expect(t[7]).toBe(17);
    expect(t[64 + 7 * 8]).toBe(12); // G = y
  });

  it('repeats edge pixels for regions outside the image', () => {
    const img = ramp(8, 8);
    const s = spec({ resize: 'stretch' });
    const t = allocTensor(s) as Float32Array;
    fillTensor(img, { x1: -4, y1: -4, x2: 4, y2: 4 }, s, t);
    expect(t[0]).toBe(0); // x clamped to 0
    expect(t[64]).toBe(0); // y clamped to 0
    expect(t[7]).toBe(3);
  });

  it('area-averages when shrinking: a 2×2 checker becomes its mean', () => {
    const data = new Uint8Array(4 * 4 * 3);
    for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) data.fill((x + y) % 2 ? 200 : 0, (y * 4 + x) * 3, (y * 4 + x) * 3 + 3);
    const img = { width: 4, height: 4, data };
    const s = spec({ width: 2, height: 2, resize: 'stretch', interpolation: 'area' });
    const t = allocTensor(s) as Float32Array;
    fillTensor(img, whole(img), s, t);
    expect(Array.from(t.subarray(0, 4))).toEqual([100, 100, 100, 100]);
  });
});

describe('axisTaps', () => {
  it('area taps cover the footprint with weights summing to 1', () => {
    const taps = axisTaps(3, 0, 3 / 10, 10, 'area');
    for (let d = 0; d < 3; d++) {
      let sum = 0;
      for (let j = taps.start[d]!; j < taps.start[d]! + taps.count[d]!; j++) sum += taps.weight[j]!;
      expect(sum).toBeCloseTo(1, 6);
    }
    expect(taps.count[0]).toBe(4); // [0, 3.33) touches pixels 0..3
  });

  it('bilinear taps of a 2× enlargement sit between source pixels', () => {
    const taps = axisTaps(4, 0, 2, 2, 'bilinear');
    // output 1 → source centre 0.25: 0.75 of pixel 0, 0.25 of pixel 1
    const s = taps.start[1]!;
    expect([taps.index[s], taps.weight[s], taps.index[s + 1], taps.weight[s + 1]]).toEqual([0, 0.75, 1, 0.25]);
  });
});
