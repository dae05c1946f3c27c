// The inner loops of fillTensor: weighted sums of source pixels over the axis taps, written
// into the tensor as value = pixel * a + b per channel. One generic loop (any number of taps,
// float32 or uint8) and one specialised for two taps into float32, the common case; both make
// the same sums in the same order, so the same values.
import type { AxisTaps } from './resample-taps.js';

/** Where and how the loops write: tensor geometry and value = pixel * a + b per channel. */
export interface TensorTarget {
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
 * Any number of taps per axis, float32 (normalised) or uint8 (raw pixels, rounded) tensors.
 * Writes only the drawn area; padding is the caller's.
 */
export function resampleGeneric(
  src: Uint8Array,
  stride: number,
  xs: AxisTaps,
  ys: AxisTaps,
  drawW: number,
  drawH: number,
  dst: Float32Array | Uint8Array,
  o: TensorTarget,
): void {
  const { base, W, plane, nchw, a0, a1, a2, b0, b1, b2 } = o;
  const isFloat = dst instanceof Float32Array;
  // Source channel feeding tensor channel k.
  const src0 = o.bgr ? 2 : 0;
  const src2 = o.bgr ? 0 : 2;
  const xIdx3 = new Int32Array(xs.index.length);
  for (let i = 0; i < xs.index.length; i++) xIdx3[i] = xs.index[i]! * 3;

  for (let dy = 0; dy < drawH; dy++) {
    const ty = dy + o.offsetY;
    const ys0 = ys.start[dy]!;
    const ysN = ys0 + ys.count[dy]!;
    for (let dx = 0; dx < drawW; dx++) {
      const xs0 = xs.start[dx]!;
      const xsN = xs0 + xs.count[dx]!;
      let r = 0;
      let g = 0;
      let bl = 0;
      for (let j = ys0; j < ysN; j++) {
        const row = ys.index[j]! * stride;
        const wy = ys.weight[j]!;
        for (let i = xs0; i < xsN; i++) {
          const off = row + xIdx3[i]!;
          const w = wy * xs.weight[i]!;
          r += w * src[off]!;
          g += w * src[off + 1]!;
          bl += w * src[off + 2]!;
        }
      }
      const c0 = src0 === 0 ? r : bl;
      const c2 = src2 === 2 ? bl : r;
      const tx = dx + o.offsetX;
      if (nchw) {
        const out = base + ty * W + tx;
        if (isFloat) {
          dst[out] = c0 * a0 + b0;
          dst[out + plane] = g * a1 + b1;
          dst[out + 2 * plane] = c2 * a2 + b2;
        } else {
          dst[out] = c0 + 0.5;
          dst[out + plane] = g + 0.5;
          dst[out + 2 * plane] = c2 + 0.5;
        }
      } else {
        const out = base + (ty * W + tx) * 3;
        if (isFloat) {
          dst[out] = c0 * a0 + b0;
          dst[out + 1] = g * a1 + b1;
          dst[out + 2] = c2 * a2 + b2;
        } else {
          dst[out] = c0 + 0.5;
          dst[out + 1] = g + 0.5;
          dst[out + 2] = c2 + 0.5;
        }
      }
    }
  }
}

/**
 * resampleGeneric specialised for at most two taps per axis and a float32 tensor: the taps
 * are unrolled (a missing second tap gets weight 0 and repeats the first index), the byte
 * offsets of each column are computed once, and the typed arrays are monomorphic. Same sums
 * in the same order as the generic loop, so the same values.
 */
export function bilinearFloat(
  src: Uint8Array,
  stride: number,
  xs: AxisTaps,
  ys: AxisTaps,
  drawW: number,
  drawH: number,
  dst: Float32Array,
  o: TensorTarget,
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
