import { Tensor } from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { HEAD_ROW, HeadDetectorJudge, type FoundHead } from '../../src/detect/head-detector.js';
import { mergeViews, mirrorInto, unmirrorRows } from '../../src/detect/head-views.js';
import type { TensorSpec } from '../../src/detect/preprocess.js';
import type { ModelSession } from '../../src/detect/session.js';
import { Stopwatch } from '../../src/detect/timings.js';

const spec = (layout: 'nchw' | 'nhwc'): TensorSpec => ({
  width: 3,
  height: 2,
  channelOrder: 'bgr',
  layout,
  dtype: 'float32',
  scale: 1,
  mean: [0, 0, 0],
  std: [1, 1, 1],
  resize: 'stretch',
  padValue: 0,
  interpolation: 'area',
});

describe('mirrorInto', () => {
  it('NCHW: each channel row reversed, into the other batch item, the source left alone', () => {
    // one 3 x 2 image: value = 100 c + 10 y + x
    const src = [0, 1, 2, 10, 11, 12, 100, 101, 102, 110, 111, 112, 200, 201, 202, 210, 211, 212];
    const buf = new Float32Array([...src, ...new Array<number>(18).fill(-1)]);
    mirrorInto(buf, spec('nchw'), 0, 1);
    expect([...buf.subarray(0, 18)]).toEqual(src);
    expect([...buf.subarray(18)]).toEqual([2, 1, 0, 12, 11, 10, 102, 101, 100, 112, 111, 110, 202, 201, 200, 212, 211, 210]);
  });

  it('NHWC: pixels reversed along each row, channels kept in order', () => {
    // pixel (x, y) holds [100 y + 10 x, +1, +2]
    const src = [0, 1, 2, 10, 11, 12, 20, 21, 22, 100, 101, 102, 110, 111, 112, 120, 121, 122];
    const buf = new Float32Array([...new Array<number>(18).fill(-1), ...src]);
    mirrorInto(buf, spec('nhwc'), 1, 0);
    expect([...buf.subarray(0, 18)]).toEqual([20, 21, 22, 10, 11, 12, 0, 1, 2, 120, 121, 122, 110, 111, 112, 100, 101, 102]);
  });
});

describe('unmirrorRows', () => {
  it('moves each row centre back across the input (cx → size − cx), the rest unchanged, as a copy', () => {
    const rows = new Float32Array([10, 20, 4, 6, 0.9, 0.3, 0.7, 100, 5, 8, 8, 0.1, 0.5, 0.5]);
    const got = unmirrorRows(rows, 128, HEAD_ROW);
    expect([...got]).toEqual([...new Float32Array([118, 20, 4, 6, 0.9, 0.3, 0.7, 28, 5, 8, 8, 0.1, 0.5, 0.5])]);
    expect(rows[0]).toBe(10);
  });
});

const head = (x1: number, presence: number, noHelmet: number, side = 20): FoundHead => ({ x1, y1: 0, x2: x1 + side, y2: side, score: presence, classId: 0, noHelmet });
const logit = (p: number): number => Math.log(p / (1 - p));
const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

describe('mergeViews', () => {
  it.each([
    {
      what: 'a head both views found: box averaged, the higher presence, P(no_helmet) from the mean logit',
      plain: [head(0, 0.6, 0.9)],
      mirrored: [head(2, 0.8, 0.5)],
      want: [{ x1: 1, x2: 21, score: 0.8, noHelmet: sigmoid(logit(0.9) / 2) }],
    },
    {
      what: 'a head one view alone found is kept as that view saw it, the surest first',
      plain: [head(0, 0.6, 0.9)],
      mirrored: [head(100, 0.7, 0.2)],
      want: [
        { x1: 100, x2: 120, score: 0.7, noHelmet: 0.2 },
        { x1: 0, x2: 20, score: 0.6, noHelmet: 0.9 },
      ],
    },
    {
      what: 'one mirrored head pairs with one plain head only (the surer plain head first)',
      plain: [head(0, 0.9, 0.1), head(1, 0.5, 0.3)],
      mirrored: [head(0, 0.4, 0.1)],
      want: [
        { x1: 0, x2: 20, score: 0.9, noHelmet: 0.1 },
        { x1: 1, x2: 21, score: 0.5, noHelmet: 0.3 },
      ],
    },
    { what: 'heads that overlap by less than IoU 0.5 are two', plain: [head(0, 0.9, 0.1)], mirrored: [head(10, 0.8, 0.9)], want: [{ x1: 0, x2: 20, score: 0.9, noHelmet: 0.1 }, { x1: 10, x2: 30, score: 0.8, noHelmet: 0.9 }] },
    { what: 'nothing found in either view', plain: [], mirrored: [], want: [] },
  ])('$what', ({ plain, mirrored, want }) => {
    const got = mergeViews(plain, mirrored);
    expect(got.map((h) => ({ x1: h.x1, x2: h.x2, score: h.score, noHelmet: h.noHelmet }))).toEqual(
      want.map((w) => ({ ...w, noHelmet: expect.closeTo(w.noHelmet, 9) })),
    );
  });
});

describe('HeadDetectorJudge with flip', () => {
  // A fake on a 16 x 16 input: one head at the centre whose P(no_helmet) is the brightness of the
  // input's left half (0.2 + 0.6 x mean / 255). The plain view of a region white on its left says
  // 0.8, the mirrored view 0.2: merged, the mean of their logits, 0.5.
  const SIZE = 16;
  const batches: number[] = [];
  const session: ModelSession = {
    inputNames: ['input'],
    outputNames: ['heads'],
    run(feeds) {
      const t = feeds.input!;
      const n = t.dims[0]!;
      batches.push(n);
      const x = t.data as Float32Array;
      const out = new Float32Array(n * HEAD_ROW);
      for (let i = 0; i < n; i++) {
        let sum = 0;
        for (let c = 0; c < 3; c++) for (let y = 0; y < SIZE; y++) for (let xx = 0; xx < SIZE / 2; xx++) sum += x[i * 3 * SIZE * SIZE + (c * SIZE + y) * SIZE + xx]!;
        const p = 0.2 + (0.6 * sum) / (3 * SIZE * (SIZE / 2) * 255);
        out.set([SIZE / 2, SIZE / 2, 6, 6, 0.9, 1 - p, p], i * HEAD_ROW);
      }
      return Promise.resolve({ heads: new Tensor('float32', out, [n, 1, HEAD_ROW]) });
    },
    release: () => Promise.resolve(),
  };
  const judge = (flip: boolean): HeadDetectorJudge =>
    new HeadDetectorJudge(session, {
      type: 'head_detector',
      path: 'x.onnx',
      input: { width: SIZE, height: SIZE, channel_order: 'bgr', layout: 'nchw', dtype: 'float32', scale: 1, mean: [0, 0, 0], std: [1, 1, 1], resize: 'stretch', pad_value: 0, interpolation: 'area' },
      region: { width_fraction: 1, height_fraction: 1, lift: 0 },
      presence_threshold: 0.3,
      nms_iou: 0.45,
      threshold: 0.65,
      helmet_threshold: 0.3,
      flip,
    });
  // A 40 x 40 picture white on its left half; the person box is the whole picture, so its region is too.
  const data = new Uint8Array(40 * 40 * 3);
  for (let y = 0; y < 40; y++) data.fill(255, y * 120, y * 120 + 60);
  const picture = { width: 40, height: 40, data };
  const person = { box: { x1: 0, y1: 0, x2: 40, y2: 40 }, score: 0.9, classId: 0, role: 'person' as const };

  it.each([
    { flip: false, batch: 1, p: 0.8, verdict: 'no_helmet' },
    { flip: true, batch: 2, p: 0.5, verdict: 'unknown' },
  ])('flip $flip: a batch of $batch, P(no_helmet) $p', async ({ flip, batch, p, verdict }) => {
    batches.length = 0;
    const v = (await judge(flip).judge(picture, [person], new Stopwatch()))[0]![0]!;
    expect(batches).toEqual([batch]);
    expect(v.noHelmetScore).toBeCloseTo(p, 6);
    expect(v.verdict).toBe(verdict);
  });
});
