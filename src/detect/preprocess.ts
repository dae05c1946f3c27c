// Resampling from a packed RGB24 image straight into a model's input tensor, in one pass:
// no intermediate image, no per-pixel objects. The source region may be fractional and may
// reach outside the image (head crops): out-of-image samples repeat the edge pixels.
import type { Box } from '../shared/types.js';

/** A packed RGB24 image (a Frame is one). */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

export type ResizeMode = 'letterbox-top-left' | 'letterbox-center' | 'stretch';
export type Interpolation = 'bilinear' | 'area';

/** What a model expects as input; mirrors the config's `input` section. */
export interface TensorSpec {
  readonly width: number;
  readonly height: number;
  readonly channelOrder: 'rgb' | 'bgr';
  readonly layout: 'nchw' | 'nhwc';
  readonly dtype: 'float32' | 'uint8';
  /** float32 only: value = (pixel * scale - mean[c]) / std[c]; uint8 tensors get raw pixels. */
  readonly scale: number;
  readonly mean: readonly [number, number, number];
  readonly std: readonly [number, number, number];
  readonly resize: ResizeMode;
  readonly padValue: number;
  readonly interpolation: Interpolation;
}

/**
 * How tensor pixels map back to the image: `image = (tensor - offset) / scale + region`.
 * Invariant: `toImage(toTensor(p)) === p` for every point.
 */
export interface InputTransform {
  readonly scaleX: number;
  readonly scaleY: number;
  readonly offsetX: number;
  readonly offsetY: number;
  readonly regionX: number;
  readonly regionY: number;
}

export interface Fit {
  readonly transform: InputTransform;
  /** Size of the drawn (non-padding) area inside the tensor. */
  readonly drawWidth: number;
  readonly drawHeight: number;
}

/** Where a region of the image lands inside the tensor for the spec's resize mode. */
export function planFit(region: Box, spec: Pick<TensorSpec, 'width' | 'height' | 'resize'>): Fit {
  const rw = Math.max(region.x2 - region.x1, 1e-6);
  const rh = Math.max(region.y2 - region.y1, 1e-6);
  if (spec.resize === 'stretch') {
    return {
      transform: { scaleX: spec.width / rw, scaleY: spec.height / rh, offsetX: 0, offsetY: 0, regionX: region.x1, regionY: region.y1 },
      drawWidth: spec.width,
      drawHeight: spec.height,
    };
  }
  const r = Math.min(spec.width / rw, spec.height / rh);
  const drawWidth = Math.min(spec.width, Math.max(1, Math.round(rw * r)));
  const drawHeight = Math.min(spec.height, Math.max(1, Math.round(rh * r)));
  const centre = spec.resize === 'letterbox-center';
  const offsetX = centre ? Math.floor((spec.width - drawWidth) / 2) : 0;
  const offsetY = centre ? Math.floor((spec.height - drawHeight) / 2) : 0;
  return {
    transform: { scaleX: drawWidth / rw, scaleY: drawHeight / rh, offsetX, offsetY, regionX: region.x1, regionY: region.y1 },
    drawWidth,
    drawHeight,
  };
}

/** A box in tensor pixels → image pixels. */
export function toImageBox(b: Box, t: InputTransform): Box {
  return {
    x1: (b.x1 - t.offsetX) / t.scaleX + t.regionX,
    y1: (b.y1 - t.offsetY) / t.scaleY + t.regionY,
    x2: (b.x2 - t.offsetX) / t.scaleX + t.regionX,
    y2: (b.y2 - t.offsetY) / t.scaleY + t.regionY,
  };
}

/** A box in image pixels → tensor pixels (the inverse of toImageBox). */
export function toTensorBox(b: Box, t: InputTransform): Box {
  return {
    x1: (b.x1 - t.regionX) * t.scaleX + t.offsetX,
    y1: (b.y1 - t.regionY) * t.scaleY + t.offsetY,
    x2: (b.x2 - t.regionX) * t.scaleX + t.offsetX,
    y2: (b.y2 - t.regionY) * t.scaleY + t.offsetY,
  };
}

export function tensorElements(spec: Pick<TensorSpec, 'width' | 'height'>, batch = 1): number {
  return batch * 3 * spec.width * spec.height;
}

export function allocTensor(spec: TensorSpec, batch = 1): Float32Array | Uint8Array {
  const n = tensorElements(spec, batch);
  return spec.dtype === 'uint8' ? new Uint8Array(n) : new Float32Array(n);
}

/** Source taps per output coordinate along one axis: `count[d]` taps starting at `start[d]`. */
interface AxisTaps {
  start: Int32Array;
  count: Int32Array;
  index: Int32Array;
  weight: Float32Array;
}

/**
 * Builds the sampling taps for `n` output pixels covering [from, from + n / scale) of a source
 * axis of `size` pixels. Bilinear uses pixel centres like OpenCV's INTER_LINEAR; area
 * averages the source footprint (OpenCV's INTER_AREA when shrinking; bilinear when enlarging).
 */
export function axisTaps(n: number, from: number, scale: number, size: number, interpolation: Interpolation): AxisTaps {
  const inv = 1 / scale;
  const useArea = interpolation === 'area' && inv > 1;
  const maxTaps = useArea ? Math.ceil(inv) + 2 : 2;
  const start = new Int32Array(n);
  const count = new Int32Array(n);
  const index = new Int32Array(n * maxTaps);
  const weight = new Float32Array(n * maxTaps);
  const clampIdx = (i: number): number => (i < 0 ? 0 : i >= size ? size - 1 : i);
  let k = 0;
  for (let d = 0; d < n; d++) {
    start[d] = k;
    if (useArea) {
      const s0 = from + d * inv;
      const s1 = s0 + inv;
      let total = 0;
      const first = k;
      for (let i = Math.floor(s0); i < s1; i++) {
        const w = Math.min(i + 1, s1) - Math.max(i, s0);
        if (w <= 1e-9) continue;
        index[k] = clampIdx(i);
        weight[k] = w;
        total += w;
        k++;
      }
      for (let j = first; j < k; j++) weight[j] = weight[j]! / total;
    } else {
      const c = from + (d + 0.5) * inv - 0.5;
      const i0 = Math.floor(c);
      const f = c - i0;
      index[k] = clampIdx(i0);
      weight[k] = 1 - f;
      k++;
      if (f > 1e-9) {
        index[k] = clampIdx(i0 + 1);
        weight[k] = f;
        k++;
      }
    }
    count[d] = k - start[d]!;
  }
  return { start, count, index, weight };
}

/**
 * Draws `region` of `image` into batch item `batchIndex` of `dst` per `spec` (letterbox or
 * stretch, channel order, layout, normalisation) and returns how tensor pixels map back.
 */
export function fillTensor(
  image: RgbImage,
  region: Box,
  spec: TensorSpec,
  dst: Float32Array | Uint8Array,
  batchIndex = 0,
): InputTransform {
  const { width: W, height: H } = spec;
  const plane = W * H;
  const base = batchIndex * 3 * plane;
  if (dst.length < base + 3 * plane) throw new RangeError(`tensor of ${dst.length} elements is too small for batch item ${batchIndex}`);
  const fit = planFit(region, spec);
  const t = fit.transform;
  const isFloat = dst instanceof Float32Array;
  // value = pixel * a[k] + b[k], per tensor channel k.
  const a = [0, 0, 0];
  const b = [0, 0, 0];
  for (let k = 0; k < 3; k++) {
    a[k] = isFloat ? spec.scale / spec.std[k]! : 1;
    b[k] = isFloat ? -spec.mean[k]! / spec.std[k]! : 0;
  }
  // Source channel feeding tensor channel k.
  const src0 = spec.channelOrder === 'bgr' ? 2 : 0;
  const src2 = spec.channelOrder === 'bgr' ? 0 : 2;
  const a0 = a[0]!, a1 = a[1]!, a2 = a[2]!, b0 = b[0]!, b1 = b[1]!, b2 = b[2]!;
  const nchw = spec.layout === 'nchw';

  if (fit.drawWidth < W || fit.drawHeight < H) {
    const p = spec.padValue;
    if (nchw) {
      dst.fill(p * a0 + b0, base, base + plane);
      dst.fill(p * a1 + b1, base + plane, base + 2 * plane);
      dst.fill(p * a2 + b2, base + 2 * plane, base + 3 * plane);
    } else if (a0 === a1 && a1 === a2 && b0 === b1 && b1 === b2) {
      dst.fill(p * a0 + b0, base, base + 3 * plane);
    } else {
      for (let i = base; i < base + 3 * plane; i += 3) {
        dst[i] = p * a0 + b0;
        dst[i + 1] = p * a1 + b1;
        dst[i + 2] = p * a2 + b2;
      }
    }
  }

  const xs = axisTaps(fit.drawWidth, region.x1, t.scaleX, image.width, spec.interpolation);
  const ys = axisTaps(fit.drawHeight, region.y1, t.scaleY, image.height, spec.interpolation);
  const src = image.data;
  const stride = image.width * 3;

  if (isFloat && maxTaps(xs) <= 2 && maxTaps(ys) <= 2) {
    // The common case (every detector's letterbox): two taps per axis into float32.
    bilinearFloat(src, stride, xs, ys, fit.drawWidth, fit.drawHeight, dst, {
      base, W, plane, offsetX: t.offsetX, offsetY: t.offsetY, nchw, bgr: src0 === 2, a0, a1, a2, b0, b1, b2,
    });
    return t;
  }
  const xIdx3 = new Int32Array(xs.index.length);
  for (let i = 0; i < xs.index.length; i++) xIdx3[i] = xs.index[i]! * 3;

  for (let dy = 0; dy < fit.drawHeight; dy++) {
    const ty = dy + t.offsetY;
    const ys0 = ys.start[dy]!;
    const ysN = ys0 + ys.count[dy]!;
    for (let dx = 0; dx < fit.drawWidth; dx++) {
      const xs0 = xs.start[dx]!;
      const xsN = xs0 + xs.count[dx]!;
      let r = 0;
      let g = 0;
      let bl = 0;
      for (let j = ys0; j < ysN; j++) {
        const row = ys.index[j]! * stride;
        const wy = ys.weight[j]!;
        for (let i = xs0; i < xsN; i++) {
          const o = row + xIdx3[i]!;
          const w = wy * xs.weight[i]!;
          r += w * src[o]!;
          g += w * src[o + 1]!;
          bl += w * src[o + 2]!;
        }
      }
      const c0 = src0 === 0 ? r : bl;
      const c2 = src2 === 2 ? bl : r;
      const tx = dx + t.offsetX;
      if (nchw) {
        const o = base + ty * W + tx;
        if (isFloat) {
          dst[o] = c0 * a0 + b0;
          dst[o + plane] = g * a1 + b1;
          dst[o + 2 * plane] = c2 * a2 + b2;
        } else {
          dst[o] = c0 + 0.5;
          dst[o + plane] = g + 0.5;
          dst[o + 2 * plane] = c2 + 0.5;
        }
      } else {
        const o = base + (ty * W + tx) * 3;
        if (isFloat) {
          dst[o] = c0 * a0 + b0;
          dst[o + 1] = g * a1 + b1;
          dst[o + 2] = c2 * a2 + b2;
        } else {
          dst[o] = c0 + 0.5;
          dst[o + 1] = g + 0.5;
          dst[o + 2] = c2 + 0.5;
        }
      }
    }
  }
  return t;
}

function maxTaps(taps: AxisTaps): number {
  let m = 0;
  for (let d = 0; d < taps.count.length; d++) if (taps.count[d]! > m) m = taps.count[d]!;
  return m;
}

/** Where and how `bilinearFloat` writes: tensor geometry and value = pixel * a + b per channel. */
interface FloatTarget {
  base: number;
  W: number;
  plane: number;
  offsetX: number;
  offsetY: number;
  nchw: boolean;
  bgr: boolean;
  a0: number;
  a1: number;
  a2: number;
  b0: number;
  b1: number;
  b2: number;
}

/**
 * fillTensor's loop specialised for at most two taps per axis and a float32 tensor: the taps
 * are unrolled (a missing second tap gets weight 0 and repeats the first index), the byte
 * offsets of each column are computed once, and the typed arrays are monomorphic. Same sums
 * in the same order as the generic loop, so the same values.
 */
function bilinearFloat(
  src: Uint8Array,
  stride: number,
  xs: AxisTaps,
  ys: AxisTaps,
  drawW: number,
  drawH: number,
  dst: Float32Array,
  o: FloatTarget,
): void {
  const xo0 = new Int32Array(drawW);
  const xo1 = new Int32Array(drawW);
  const wx0 = new Float32Array(drawW);
  const wx1 = new Float32Array(drawW);
  for (let dx = 0; dx < drawW; dx++) {
    const k = xs.start[dx]!;
    const two = xs.count[dx]! > 1;
    xo0[dx] = xs.index[k]! * 3;
    xo1[dx] = (two ? xs.index[k + 1]! : xs.index[k]!) * 3;
    wx0[dx] = xs.weight[k]!;
    wx1[dx] = two ? xs.weight[k + 1]! : 0;
  }
  const { base, W, plane, a0, a1, a2, b0, b1, b2 } = o;
  // Tensor channel 0 takes source channel 2 for BGR; channel 2 takes source channel 0.
  const c0 = o.bgr ? 2 : 0;
  const c2 = o.bgr ? 0 : 2;
  for (let dy = 0; dy < drawH; dy++) {
    const k = ys.start[dy]!;
    const two = ys.count[dy]! > 1;
    const r0 = ys.index[k]! * stride;
    const r1 = (two ? ys.index[k + 1]! : ys.index[k]!) * stride;
    const wy0 = ys.weight[k]!;
    const wy1 = two ? ys.weight[k + 1]! : 0;
    const ty = dy + o.offsetY;
    if (o.nchw) {
      let out = base + ty * W + o.offsetX;
      const out1 = plane;
      const out2 = 2 * plane;
      for (let dx = 0; dx < drawW; dx++, out++) {
        const x0 = xo0[dx]!;
        const x1 = xo1[dx]!;
        const u0 = wx0[dx]!;
        const u1 = wx1[dx]!;
        const w00 = wy0 * u0;
        const w01 = wy0 * u1;
        const w10 = wy1 * u0;
        const w11 = wy1 * u1;
        const p00 = r0 + x0;
        const p01 = r0 + x1;
        const p10 = r1 + x0;
        const p11 = r1 + x1;
        dst[out] = (w00 * src[p00 + c0]! + w01 * src[p01 + c0]! + w10 * src[p10 + c0]! + w11 * src[p11 + c0]!) * a0 + b0;
        dst[out + out1] = (w00 * src[p00 + 1]! + w01 * src[p01 + 1]! + w10 * src[p10 + 1]! + w11 * src[p11 + 1]!) * a1 + b1;
        dst[out + out2] = (w00 * src[p00 + c2]! + w01 * src[p01 + c2]! + w10 * src[p10 + c2]! + w11 * src[p11 + c2]!) * a2 + b2;
      }
    } else {
      let out = base + (ty * W + o.offsetX) * 3;
      for (let dx = 0; dx < drawW; dx++, out += 3) {
        const x0 = xo0[dx]!;
        const x1 = xo1[dx]!;
        const w00 = wy0 * wx0[dx]!;
        const w01 = wy0 * wx1[dx]!;
        const w10 = wy1 * wx0[dx]!;
        const w11 = wy1 * wx1[dx]!;
        const p00 = r0 + x0;
        const p01 = r0 + x1;
        const p10 = r1 + x0;
        const p11 = r1 + x1;
        dst[out] = (w00 * src[p00 + c0]! + w01 * src[p01 + c0]! + w10 * src[p10 + c0]! + w11 * src[p11 + c0]!) * a0 + b0;
        dst[out + 1] = (w00 * src[p00 + 1]! + w01 * src[p01 + 1]! + w10 * src[p10 + 1]! + w11 * src[p11 + 1]!) * a1 + b1;
        dst[out + 2] = (w00 * src[p00 + c2]! + w01 * src[p01 + c2]! + w10 * src[p10 + c2]! + w11 * src[p11 + c2]!) * a2 + b2;
      }
    }
  }
}
