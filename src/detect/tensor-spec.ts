// What preprocessing reads and writes: the packed RGB image it samples, the spec of the
// tensor a model wants (the config's `input` section), and a tensor of that shape.
import type { RgbPicture } from '../shared/types.js';

/** A packed RGB24 image (a Frame is one). */
export type RgbImage = RgbPicture;

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

export function tensorElements(spec: Pick<TensorSpec, 'width' | 'height'>, batch = 1): number {
  return batch * 3 * spec.width * spec.height;
}

export function allocTensor(spec: TensorSpec, batch = 1): Float32Array | Uint8Array {
  const n = tensorElements(spec, batch);
  return spec.dtype === 'uint8' ? new Uint8Array(n) : new Float32Array(n);
}
