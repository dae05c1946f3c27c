import { Tensor } from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { attributeHeads, decodeHeads, HEAD_ROW, HeadDetectorJudge, headRegion, type FoundHead } from '../../src/detect/head-detector.js';
import type { ModelSession } from '../../src/detect/session.js';
import { Stopwatch } from '../../src/detect/timings.js';
import type { Box, Detection } from '../../src/shared/types.js';

const RULE = { width_fraction: 1.1, height_fraction: 0.45, lift: 0.12 };

describe('headRegion', () => {
  it.each([
    { what: 'a standing person (narrow box): the height rule sets the side', box: { x1: 100, y1: 50, x2: 140, y2: 250 }, want: { x1: 75, y1: 39.2, x2: 165, y2: 129.2 } },
    { what: 'a rider and a passenger in one wide box: the width rule', box: { x1: 0, y1: 100, x2: 200, y2: 300 }, want: { x1: -10, y1: 73.6, x2: 210, y2: 293.6 } },
  ])('$what', ({ box, want }) => {
    const r = headRegion(box, RULE);
    for (const k of ['x1', 'y1', 'x2', 'y2'] as const) expect(r[k]).toBeCloseTo(want[k], 6);
  });
});

/** One output row: centre, size (input pixels), presence, P(no_helmet). */
function row(cx: number, cy: number, side: number, presence: number, noHelmet: number): number[] {
  return [cx, cy, side, side, presence, 1 - noHelmet, noHelmet];
}

describe('decodeHeads', () => {
  const region = { x1: 100, y1: 200, x2: 300, y2: 400 }; // 200 px drawn into a 100-px input: x2 per input pixel
  it('maps rows back to frame pixels, keeps those present enough, the surer of overlapping ones, surest first', () => {
    const rows = new Float32Array([
      ...row(25, 25, 10, 0.6, 0.9), // head A
      ...row(26, 25, 10, 0.5, 0.1), // head A again, less sure: suppressed
      ...row(75, 30, 10, 0.9, 0.2), // head B
      ...row(50, 80, 10, 0.29, 1), // below the presence threshold
    ]);
    const got = decodeHeads(rows, region, 100, 0.3, 0.45);
    expect(got.map((h) => [{ x1: h.x1, y1: h.y1, x2: h.x2, y2: h.y2 }, h.score, h.noHelmet])).toEqual([
      [{ x1: 240, y1: 250, x2: 260, y2: 270 }, expect.closeTo(0.9, 6), expect.closeTo(0.2, 6)],
      [{ x1: 140, y1: 240, x2: 160, y2: 260 }, expect.closeTo(0.6, 6), expect.closeTo(0.9, 6)],
    ]);
  });

  it('finds nothing in an empty region', () => {
    expect(decodeHeads(new Float32Array(0), region, 100, 0.3, 0.45)).toEqual([]);
  });
});

const head = (x1: number, y1: number, side: number, presence: number, noHelmet: number): FoundHead => ({ x1, y1, x2: x1 + side, y2: y1 + side, score: presence, classId: 0, noHelmet });

describe('attributeHeads', () => {
  // A driver (x 100..160) and a passenger behind him (x 140..200), each region seeing both heads.
  const driver = { x1: 100, y1: 100, x2: 160, y2: 300 };
  const passenger = { x1: 140, y1: 90, x2: 200, y2: 280 };
  const driverHead = head(115, 100, 30, 0.9, 0.1);
  const passengerHead = head(158, 88, 30, 0.8, 0.95);

  it.each([
    {
      what: 'both regions find both heads: each head once, on the person it sits on',
      persons: [driver, passenger],
      found: [[driverHead, passengerHead], [{ ...passengerHead, score: 0.85 }, { ...driverHead, score: 0.7 }]],
      want: [[0.1], [0.95]],
    },
    {
      what: 'one box for both riders: its two heads, surest first',
      persons: [{ x1: 100, y1: 90, x2: 200, y2: 300 }],
      found: [[passengerHead, driverHead]],
      want: [[0.1, 0.95]],
    },
    {
      what: 'a second box of the same person: its head goes to the one it sits on, the other gets none',
      persons: [driver, { ...driver, x1: 60, y1: 140 }],
      found: [[driverHead], [driverHead]],
      want: [[0.1], []],
    },
    {
      what: 'a second, offset box over most of one head (IoU under nms_iou): one head, the surer',
      persons: [driver],
      found: [[driverHead, head(121, 94, 24, 0.6, 0.8)]],
      want: [[0.1]],
    },
    { what: 'no heads found', persons: [driver], found: [[]], want: [[]] },
  ])('$what', ({ persons, found, want }) => {
    expect(attributeHeads(persons, found, 0.45).map((hs) => hs.map((h) => h.noHelmet))).toEqual(want);
  });
});

// A fake detector on a SIZE x SIZE input: in each region, one head at the top centre whose
// P(no_helmet) is the region's mean brightness / 255, present unless the region is all black.
// `dims` makes it answer a tensor of another shape instead (zeros).
const SIZE = 16;
function fakeSession(dims?: number[]): ModelSession {
  return {
    inputNames: ['input'],
    outputNames: ['heads'],
    run(feeds) {
      const t = feeds.input!;
      const n = t.dims[0]!;
      const x = t.data as Float32Array;
      const per = 3 * SIZE * SIZE;
      const out = new Float32Array(n * 2 * HEAD_ROW);
      for (let i = 0; i < n; i++) {
        let sum = 0;
        for (let j = 0; j < per; j++) sum += x[i * per + j]!;
        const p = sum / per / 255;
        out.set([...row(8, 4, 4, p > 0 ? 0.9 : 0, p), ...row(8, 12, 4, 0, 0)], i * 2 * HEAD_ROW);
      }
      if (dims) return Promise.resolve({ heads: new Tensor('float32', new Float32Array(dims.reduce((a, b) => a * b, 1)), dims) });
      return Promise.resolve({ heads: new Tensor('float32', out, [n, 2, HEAD_ROW]) });
    },
    release: () => Promise.resolve(),
  };
}

function judge(session = fakeSession(), width = SIZE, flip = false): HeadDetectorJudge {
  return new HeadDetectorJudge(session, {
    type: 'head_detector',
    path: 'x.onnx',
    input: { width, height: SIZE, channel_order: 'bgr', layout: 'nchw', dtype: 'float32', scale: 1, mean: [0, 0, 0], std: [1, 1, 1], resize: 'stretch', pad_value: 0, interpolation: 'area' },
    region: RULE,
    presence_threshold: 0.3,
    nms_iou: 0.45,
    threshold: 0.65,
    helmet_threshold: 0.5,
    flip,
  });
}

/** A 200 x 100 picture, black but for the white boxes given. */
function picture(white: Box[]): { width: number; height: number; data: Uint8Array } {
  const W = 200;
  const data = new Uint8Array(W * 100 * 3);
  for (const w of white) for (let y = w.y1; y < w.y2; y++) for (let x = w.x1; x < w.x2; x++) data.fill(255, (y * W + x) * 3, (y * W + x) * 3 + 3);
  return { width: W, height: 100, data };
}
const person = (box: Box): Detection => ({ box, score: 0.9, classId: 0, role: 'person' });

describe('HeadDetectorJudge.judge', () => {
  // Two persons far apart; each region is a 45 x 45 square (height rule) over the box's top.
  const left = person({ x1: 20, y1: 10, x2: 50, y2: 100 });
  const right = person({ x1: 140, y1: 10, x2: 170, y2: 100 });

  it('judges every rider in one batch, in order, with the verdict bands', async () => {
    const got = await judge().judge(picture([{ x1: 0, y1: 0, x2: 100, y2: 100 }, { x1: 140, y1: 0, x2: 155, y2: 100 }]), [left, right], new Stopwatch());
    expect(got.map((vs) => vs.map((v) => [v.verdict, Number(v.noHelmetScore.toFixed(2))]))).toEqual([[['no_helmet', 1]], [['helmet', 0.37]]]);
    // the head box is the found head's, in frame pixels (the region's top centre quarter)
    expect(got[0]![0]!.headBox.x1).toBeGreaterThan(left.box.x1);
    expect(got[0]![0]!.headBox.x2).toBeLessThan(left.box.x2 + 5);
  });

  it('a rider whose region holds no head is judged unknown, at the top of its region', async () => {
    const [vs] = await judge().judge(picture([]), [left], new Stopwatch());
    // region: side max(1.1 x 30, 0.45 x 90) = 40.5 from y 10 - 0.12 x 40.5; its top centre square a third of that
    expect(vs).toEqual([{ verdict: 'unknown', noHelmetScore: 0, headBox: { x1: expect.closeTo(28.25, 6), y1: expect.closeTo(5.14, 6), x2: expect.closeTo(41.75, 6), y2: expect.closeTo(18.64, 6) } }]);
  });

  it('names a model whose output is not head rows', async () => {
    await expect(judge(fakeSession([1, 2, 6])).judge(picture([]), [left], new Stopwatch())).rejects.toThrow(/helmet head detector: output \[1,2,6\] is not \[1,N,7\]/);
  });

  it('scores given head boxes in a square of the training geometry around each (the head-crop evaluation)', async () => {
    // head 20 x 20 at (90, 30): square side 44, centred 0.18 sides below the head's centre
    const got = await judge().scoreHeads(picture([{ x1: 90, y1: 30, x2: 110, y2: 50 }]), [{ x1: 90, y1: 30, x2: 110, y2: 50 }, { x1: 150, y1: 30, x2: 170, y2: 50 }], new Stopwatch());
    expect(got[0]).toBeCloseTo((20 * 20) / (44 * 44), 2);
    expect(got[1]).toBe(0); // all black: no head found
  });

  it('refuses an input that is not square', () => {
    expect(() => judge(fakeSession(), 32)).toThrow(/must be square, not 32x16/);
  });
});
