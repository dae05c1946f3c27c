import { describe, expect, it } from 'vitest';
import { decodeEnd2end, decodeYolov5, decodeYolov8, decodeYolox } from '../../src/detect/heads.js';
import { isAgentError } from '../../src/shared/errors.js';

const opts = { inputWidth: 64, inputHeight: 64, scoreThreshold: 0.3 };

/** A YOLOX output for a 64×64 input: 8² + 4² + 2² = 84 rows of 5 + nc, all zero. */
function yoloxTensor(nc: number): { data: Float32Array; dims: number[] } {
  return { data: new Float32Array(84 * (5 + nc)), dims: [1, 84, 5 + nc] };
}

function setRow(data: Float32Array, k: number, row: number, values: number[]): void {
  data.set(values, row * k);
}

describe('decodeYolox', () => {
  it.each([
    // [row, offset values, expected box, stride description]
    { row: 0, o: [0.5, 0.5, 0, 0], want: { x1: 0, y1: 0, x2: 8, y2: 8 }, what: 'stride 8, cell (0,0), wh = exp(0)*8' },
    { row: 8 * 2 + 3, o: [0, 0, Math.log(2), Math.log(3)], want: { x1: 24 - 8, y1: 16 - 12, x2: 24 + 8, y2: 16 + 12 }, what: 'stride 8, cell (3,2)' },
    { row: 64 + 4 * 1 + 2, o: [0.25, 0.75, 0, 0], want: { x1: 36 - 8, y1: 28 - 8, x2: 36 + 8, y2: 28 + 8 }, what: 'stride 16, cell (2,1)' },
    { row: 80 + 2 * 1 + 1, o: [0.5, 0.5, 0, Math.log(0.5)], want: { x1: 48 - 16, y1: 48 - 8, x2: 48 + 16, y2: 48 + 8 }, what: 'stride 32, cell (1,1)' },
  ])('maps $what to input pixels', ({ row, o, want }) => {
    const t = yoloxTensor(2);
    setRow(t.data, 7, row, [...o, 0.9, 0.1, 0.8]);
    const boxes = decodeYolox(t, opts);
    expect(boxes).toHaveLength(1);
    const b = boxes[0]!;
    expect(b.classId).toBe(1);
    expect(b.score).toBeCloseTo(0.72, 5);
    expect(b.x1).toBeCloseTo(want.x1, 4);
    expect(b.y1).toBeCloseTo(want.y1, 4);
    expect(b.x2).toBeCloseTo(want.x2, 4);
    expect(b.y2).toBeCloseTo(want.y2, 4);
  });

  it('drops rows whose obj × class score is under the threshold', () => {
    const t = yoloxTensor(1);
    setRow(t.data, 6, 5, [0, 0, 0, 0, 0.5, 0.5]); // 0.25
    setRow(t.data, 6, 6, [0, 0, 0, 0, 0.2, 1]); // 0.2
    setRow(t.data, 6, 7, [0, 0, 0, 0, 0.6, 0.6]); // 0.36
    expect(decodeYolox(t, opts).map((b) => b.score.toFixed(2))).toEqual(['0.36']);
  });

  it('refuses an output whose row count does not match the grids', () => {
    const bad = { data: new Float32Array(83 * 6), dims: [1, 83, 6] };
    let thrown: unknown;
    try {
      decodeYolox(bad, opts);
    } catch (err) {
      thrown = err;
    }
    expect(isAgentError(thrown, 'RSA_MODEL_SHAPE')).toBe(true);
    expect((thrown as Error).message).toMatch(/N=84/);
  });
});

describe('decodeYolov5', () => {
  it('reads cx,cy,w,h,obj then skips extra values before the class scores', () => {
    const k = 5 + 8 + 2;
    const data = new Float32Array(3 * k);
    data.set([100, 50, 20, 10, 0.9, 1, 2, 3, 4, 5, 6, 7, 8, 0.2, 0.7], 0);
    data.set([10, 10, 4, 4, 0.1, 0, 0, 0, 0, 0, 0, 0, 0, 0.9, 0.9], k);
    data.set([30, 30, 10, 10, 0.8, 0, 0, 0, 0, 0, 0, 0, 0, 0.9, 0.1], 2 * k);
    const boxes = decodeYolov5({ data, dims: [1, 3, k] }, { ...opts, extraAfterObj: 8 });
    expect(boxes).toEqual([
      { x1: 90, y1: 45, x2: 110, y2: 55, score: expect.closeTo(0.63, 5), classId: 1 },
      { x1: 25, y1: 25, x2: 35, y2: 35, score: expect.closeTo(0.72, 5), classId: 0 },
    ]);
  });

  it('refuses a row too short for the declared extra values', () => {
    expect(() => decodeYolov5({ data: new Float32Array(10), dims: [1, 2, 5] }, { ...opts, extraAfterObj: 8 })).toThrow(/yolov5/);
  });
});

describe('decodeYolov8', () => {
  it('reads channels-first [1,4+nc,N] without objectness', () => {
    const n = 3;
    const nc = 2;
    const data = new Float32Array((4 + nc) * n);
    // anchor 0: box (10,20,4,8) class 1 at 0.8; anchor 1 below threshold; anchor 2: class 0 at 0.5
    const cx = [10, 0, 40];
    const cy = [20, 0, 40];
    const w = [4, 0, 10];
    const h = [8, 0, 20];
    const c0 = [0.1, 0.2, 0.5];
    const c1 = [0.8, 0.1, 0.3];
    [cx, cy, w, h, c0, c1].forEach((ch, i) => data.set(ch, i * n));
    const boxes = decodeYolov8({ data, dims: [1, 4 + nc, n] }, opts);
    expect(boxes).toEqual([
      { x1: 8, y1: 16, x2: 12, y2: 24, score: expect.closeTo(0.8, 5), classId: 1 },
      { x1: 35, y1: 30, x2: 45, y2: 50, score: expect.closeTo(0.5, 5), classId: 0 },
    ]);
  });
});

describe('decodeEnd2end', () => {
  it('keeps x1,y1,x2,y2,score,class rows at or above the threshold', () => {
    const data = new Float32Array([1, 2, 3, 4, 0.9, 3, 5, 6, 7, 8, 0.1, 0, 9, 9, 19, 19, 0.3, 2]);
    expect(decodeEnd2end({ data, dims: [1, 3, 6] }, opts)).toEqual([
      { x1: 1, y1: 2, x2: 3, y2: 4, score: expect.closeTo(0.9, 5), classId: 3 },
      { x1: 9, y1: 9, x2: 19, y2: 19, score: expect.closeTo(0.3, 5), classId: 2 },
    ]);
  });

  it('refuses rows that are not 6 wide', () => {
    expect(() => decodeEnd2end({ data: new Float32Array(7), dims: [1, 1, 7] }, opts)).toThrow(/end2end/);
  });
});
