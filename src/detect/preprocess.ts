// Resampling from a packed RGB24 image straight into a model's input tensor, in one pass:
// no intermediate image, no per-pixel objects. The source region may be fractional and may
// reach outside the image (head crops): out-of-image samples repeat the edge pixels.
//
// This module is the entry point of preprocessing; its parts live beside it: the types and
// tensor allocation (tensor-spec.ts), letterbox geometry (input-fit.ts), the sampling taps
// (resample-taps.ts) and the inner loops (resample-loops.ts).
import type { Box } from '../shared/types.js';
import { planFit, type InputTransform } from './input-fit.js';
import { bilinearFloat, resampleGeneric, type TensorTarget } from './resample-loops.js';
import { axisTaps, maxTaps } from './resample-taps.js';
import type { RgbImage, TensorSpec } from './tensor-spec.js';

export { allocTensor, tensorElements, type Interpolation, type ResizeMode, type RgbImage, type TensorSpec } from './tensor-spec.js';
export { planFit, toImageBox, toTensorBox, type Fit, type InputTransform } from './input-fit.js';
export { axisTaps } from './resample-taps.js';

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
  const target: TensorTarget = {
    base, W, plane, offsetX: t.offsetX, offsetY: t.offsetY, nchw: spec.layout === 'nchw', bgr: spec.channelOrder === 'bgr',
    a0: a[0]!, a1: a[1]!, a2: a[2]!, b0: b[0]!, b1: b[1]!, b2: b[2]!,
  };
  if (fit.drawWidth < W || fit.drawHeight < H) fillPadding(dst, target, spec.padValue);

  const xs = axisTaps(fit.drawWidth, region.x1, t.scaleX, image.width, spec.interpolation);
  const ys = axisTaps(fit.drawHeight, region.y1, t.scaleY, image.height, spec.interpolation);
  const stride = image.width * 3;
  if (isFloat && maxTaps(xs) <= 2 && maxTaps(ys) <= 2) {
    // The common case (every detector's letterbox): two taps per axis into float32.
    bilinearFloat(image.data, stride, xs, ys, fit.drawWidth, fit.drawHeight, dst, target);
  } else {
    resampleGeneric(image.data, stride, xs, ys, fit.drawWidth, fit.drawHeight, dst, target);
  }
  return t;
}

/** The whole batch item set to the pad value (the drawn area is overwritten after). */
function fillPadding(dst: Float32Array | Uint8Array, o: TensorTarget, p: number): void {
  const { base, plane, a0, a1, a2, b0, b1, b2 } = o;
  if (o.nchw) {
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
