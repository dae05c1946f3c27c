// Letterbox and stretch geometry: where a region of the image lands inside the tensor, and
// the transform that maps tensor pixels (a model's boxes) back to image pixels.
import type { Box } from '../shared/types.js';
import type { TensorSpec } from './tensor-spec.js';

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
