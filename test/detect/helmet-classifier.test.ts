import { Tensor } from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { HelmetClassifier } from '../../src/detect/helmet.js';
import type { ModelSession } from '../../src/detect/session.js';
import { Stopwatch } from '../../src/detect/timings.js';
import type { Box, Detection } from '../../src/shared/types.js';

// A 200 x 100 picture: black, with a white square (a "bare head") wherever a test puts one. The
// fake classifier's P(no_helmet) is the mean brightness of the crop it is given / 255.
const W = 200;
const H = 100;
function picture(white: Box[]): { width: number; height: number; data: Uint8Array } {
  const data = new Uint8Array(W * H * 3);
  for (const w of white) for (let y = w.y1; y < w.y2; y++) for (let x = w.x1; x < w.x2; x++) data.fill(255, (y * W + x) * 3, (y * W + x) * 3 + 3);
  return { width: W, height: H, data };
}

const SIZE = 8;
const brightness: ModelSession = {
  inputNames: ['input'],
  outputNames: ['prob'],
  run(feeds) {
    const t = feeds.input!;
    const n = t.dims[0]!;
    const x = t.data as Float32Array;
    const per = 3 * SIZE * SIZE;
    const out = new Float32Array(n * 2);
    for (let i = 0; i < n; i++) {
      let sum = 0;
      for (let j = 0; j < per; j++) sum += x[i * per + j]!;
      const p = sum / per / 255;
      out[i * 2] = 1 - p;
      out[i * 2 + 1] = p;
    }
    return Promise.resolve({ prob: new Tensor('float32', out, [n, 2]) });
  },
  release: () => Promise.resolve(),
};

function classifier(wide: number | null): HelmetClassifier {
  return new HelmetClassifier(brightness, {
    type: 'classifier',
    path: 'x.onnx',
    input: { width: SIZE, height: SIZE, channel_order: 'rgb', layout: 'nchw', dtype: 'float32', scale: 1, mean: [0, 0, 0], std: [1, 1, 1], resize: 'stretch', pad_value: 0, interpolation: 'area' },
    no_helmet_index: 1,
    threshold: 0.65,
    helmet_threshold: 0.5,
    crop: { height_fraction: 0.4, width_fraction: 1, lift: 0 },
    wide_box_edges: wide,
  });
}

const person = (box: Box): Detection => ({ box, score: 0.9, classId: 0, role: 'person' });
// One wide person box 200 x 100: crop side 40; its centred crop is x 80..120, its edge crops 0..40 and 160..200.
const wideBox = person({ x1: 0, y1: 0, x2: 200, y2: 100 });

describe('HelmetClassifier.judge with models.helmet.wide_box_edges', () => {
  it.each([
    { what: 'off: one verdict, the centred crop', wide: null, white: [{ x1: 0, y1: 0, x2: 40, y2: 40 }], want: [['helmet', 80]] },
    { what: 'a bare head at the left edge: a second head, judged no_helmet there', wide: 1.5, white: [{ x1: 0, y1: 0, x2: 40, y2: 40 }], want: [['helmet', 80], ['no_helmet', 0]] },
    { what: 'at the right edge', wide: 1.5, white: [{ x1: 160, y1: 0, x2: 200, y2: 40 }], want: [['helmet', 80], ['no_helmet', 160]] },
    { what: 'bare heads at both edges: the surer edge only (left, fully white)', wide: 1.5, white: [{ x1: 0, y1: 0, x2: 40, y2: 40 }, { x1: 164, y1: 0, x2: 200, y2: 40 }], want: [['helmet', 80], ['no_helmet', 0]] },
    { what: 'the centred crop already no_helmet: no second head', wide: 1.5, white: [{ x1: 0, y1: 0, x2: 200, y2: 40 }], want: [['no_helmet', 80]] },
    { what: 'nothing bare: one verdict', wide: 1.5, white: [], want: [['helmet', 80]] },
  ])('$what', async ({ wide, white, want }) => {
    const [verdicts] = await classifier(wide).judge(picture(white), [wideBox], new Stopwatch());
    expect(verdicts!.map((v) => [v.verdict, v.headBox.x1])).toEqual(want);
  });

  it('judges every person in one batch and keeps them in order', async () => {
    const narrow = person({ x1: 100, y1: 0, x2: 140, y2: 100 }); // side 40, its crop 100..140
    const got = await classifier(1.5).judge(picture([{ x1: 100, y1: 0, x2: 140, y2: 40 }]), [narrow, wideBox], new Stopwatch());
    // The wide box's centred crop (80..120) is half white: P 0.5, unsure; its edges are black.
    expect(got.map((vs) => vs.map((v) => [v.verdict, v.noHelmetScore]))).toEqual([[['no_helmet', 1]], [['unknown', 0.5]]]);
  });
});
