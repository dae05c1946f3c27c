// Decoders for the common detector heads. Each is pure: a model's output tensor in, boxes in
// the model's input pixels out (before NMS, before mapping back through the letterbox).
import { AgentError } from '../shared/errors.js';

export type HeadKind = 'yolox' | 'yolov5' | 'yolov8' | 'end2end';

/** A decoded box in model-input pixels. */
export interface RawBox {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  score: number;
  classId: number;
}

export interface HeadOutput {
  readonly data: Float32Array;
  readonly dims: readonly number[];
}

export interface DecodeOptions {
  /** Model input size (the grid decode of YOLOX needs it). */
  inputWidth: number;
  inputHeight: number;
  scoreThreshold: number;
  /** Classes in the head; default from the output shape. */
  numClasses?: number;
  /** yolov5: values between objectness and the class scores (e.g. 8 for four corner points). */
  extraAfterObj?: number;
}

function shapeError(head: HeadKind, dims: readonly number[], want: string): AgentError {
  return new AgentError('RSA_MODEL_SHAPE', `${head} head: output shape [${dims.join(',')}] is not ${want}`);
}

/** [1, N, K] → N, K; throws RSA_MODEL_SHAPE otherwise. */
function rows(head: HeadKind, out: HeadOutput, want: string): [number, number] {
  const d = out.dims;
  const n = d.length === 3 && d[0] === 1 ? d[1]! : d.length === 2 ? d[0]! : -1;
  const k = d.length === 3 ? d[2]! : d.length === 2 ? d[1]! : -1;
  if (n < 0 || k < 0 || out.data.length < n * k) throw shapeError(head, d, want);
  return [n, k];
}

function classCount(head: HeadKind, out: HeadOutput, available: number, wanted: number | undefined, want: string): number {
  if (available < 1) throw shapeError(head, out.dims, want);
  if (wanted !== undefined && wanted > available) throw shapeError(head, out.dims, `${want} with ${wanted} classes`);
  return wanted ?? available;
}

/** Best class of one row: index and score. */
function argmaxRange(data: Float32Array, from: number, count: number, step = 1): [number, number] {
  let best = 0;
  let bestScore = -Infinity;
  for (let c = 0; c < count; c++) {
    const s = data[from + c * step]!;
    if (s > bestScore) {
      bestScore = s;
      best = c;
    }
  }
  return [best, bestScore];
}

/**
 * YOLOX raw grid head [1, N, 5 + nc] over strides 8, 16, 32, rows in grid order (row-major per
 * stride): xy = (o + grid) * stride, wh = exp(o) * stride; objectness and class scores are
 * already sigmoided; score = obj × best class.
 */
export function decodeYolox(out: HeadOutput, o: DecodeOptions): RawBox[] {
  const want = '[1,N,5+nc] over strides 8/16/32';
  const [n, k] = rows('yolox', out, want);
  const nc = classCount('yolox', out, k - 5, o.numClasses, want);
  const strides = [8, 16, 32];
  const expected = strides.reduce((s, st) => s + Math.floor(o.inputWidth / st) * Math.floor(o.inputHeight / st), 0);
  if (n !== expected) throw shapeError('yolox', out.dims, `${want} for a ${o.inputWidth}x${o.inputHeight} input (N=${expected})`);
  const d = out.data;
  const boxes: RawBox[] = [];
  let row = 0;
  for (const stride of strides) {
    const gw = Math.floor(o.inputWidth / stride);
    const gh = Math.floor(o.inputHeight / stride);
    for (let gy = 0; gy < gh; gy++) {
      for (let gx = 0; gx < gw; gx++, row++) {
        const p = row * k;
        const obj = d[p + 4]!;
        if (obj < o.scoreThreshold) continue;
        const [cls, clsScore] = argmaxRange(d, p + 5, nc);
        const score = obj * clsScore;
        if (score < o.scoreThreshold) continue;
        const cx = (d[p]! + gx) * stride;
        const cy = (d[p + 1]! + gy) * stride;
        const w = Math.exp(d[p + 2]!) * stride;
        const h = Math.exp(d[p + 3]!) * stride;
        boxes.push({ x1: cx - w / 2, y1: cy - h / 2, x2: cx + w / 2, y2: cy + h / 2, score, classId: cls });
      }
    }
  }
  return boxes;
}

/** YOLOv5 decoded head [1, N, 5 + extra + nc]: cx, cy, w, h, obj, extra…, classes; score = obj × best class. */
export function decodeYolov5(out: HeadOutput, o: DecodeOptions): RawBox[] {
  const extra = o.extraAfterObj ?? 0;
  const want = `[1,N,5+${extra > 0 ? `${extra}+` : ''}nc]`;
  const [n, k] = rows('yolov5', out, want);
  const nc = classCount('yolov5', out, k - 5 - extra, o.numClasses, want);
  const d = out.data;
  const boxes: RawBox[] = [];
  for (let i = 0; i < n; i++) {
    const p = i * k;
    const obj = d[p + 4]!;
    if (obj < o.scoreThreshold) continue;
    const [cls, clsScore] = argmaxRange(d, p + 5 + extra, nc);
    const score = obj * clsScore;
    if (score < o.scoreThreshold) continue;
    const cx = d[p]!, cy = d[p + 1]!, w = d[p + 2]!, h = d[p + 3]!;
    boxes.push({ x1: cx - w / 2, y1: cy - h / 2, x2: cx + w / 2, y2: cy + h / 2, score, classId: cls });
  }
  return boxes;
}

/** YOLOv8 / YOLO11 head [1, 4 + nc, N] (channels first): cx, cy, w, h, class scores; no objectness. */
export function decodeYolov8(out: HeadOutput, o: DecodeOptions): RawBox[] {
  const want = '[1,4+nc,N]';
  const dims = out.dims;
  if (dims.length !== 3 || dims[0] !== 1) throw shapeError('yolov8', dims, want);
  const ch = dims[1]!;
  const n = dims[2]!;
  if (out.data.length < ch * n) throw shapeError('yolov8', dims, want);
  const nc = classCount('yolov8', out, ch - 4, o.numClasses, want);
  const d = out.data;
  const boxes: RawBox[] = [];
  for (let i = 0; i < n; i++) {
    const [cls, score] = argmaxRange(d, 4 * n + i, nc, n);
    if (score < o.scoreThreshold) continue;
    const cx = d[i]!, cy = d[n + i]!, w = d[2 * n + i]!, h = d[3 * n + i]!;
    boxes.push({ x1: cx - w / 2, y1: cy - h / 2, x2: cx + w / 2, y2: cy + h / 2, score, classId: cls });
  }
  return boxes;
}

/** End-to-end head [1, M, 6]: x1, y1, x2, y2, score, class (already suppressed by the model). */
export function decodeEnd2end(out: HeadOutput, o: DecodeOptions): RawBox[] {
  const want = '[1,M,6]';
  const [n, k] = rows('end2end', out, want);
  if (k !== 6) throw shapeError('end2end', out.dims, want);
  const d = out.data;
  const boxes: RawBox[] = [];
  for (let i = 0; i < n; i++) {
    const p = i * 6;
    const score = d[p + 4]!;
    if (!(score >= o.scoreThreshold)) continue;
    boxes.push({ x1: d[p]!, y1: d[p + 1]!, x2: d[p + 2]!, y2: d[p + 3]!, score, classId: Math.round(d[p + 5]!) });
  }
  return boxes;
}

export const DECODERS: Record<HeadKind, (out: HeadOutput, o: DecodeOptions) => RawBox[]> = {
  yolox: decodeYolox,
  yolov5: decodeYolov5,
  yolov8: decodeYolov8,
  end2end: decodeEnd2end,
};
