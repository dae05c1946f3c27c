// Box arithmetic shared by the stages (decoders, NMS, rider association, crops, tracking,
// rules, evidence). Boxes are in pixels with x2/y2 exclusive (see types.ts).
import type { Box } from './types.js';

export function boxWidth(b: Box): number {
  return Math.max(0, b.x2 - b.x1);
}

export function boxHeight(b: Box): number {
  return Math.max(0, b.y2 - b.y1);
}

export function boxArea(b: Box): number {
  return boxWidth(b) * boxHeight(b);
}

export function intersectionArea(a: Box, b: Box): number {
  const w = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1);
  const h = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1);
  return w > 0 && h > 0 ? w * h : 0;
}

export function iou(a: Box, b: Box): number {
  const inter = intersectionArea(a, b);
  if (inter === 0) return 0;
  return inter / (boxArea(a) + boxArea(b) - inter);
}

/** How much of the smaller of two pixel boxes lies inside the other (1: one holds the other). */
export function smallerCover(a: Box, b: Box): number {
  return intersectionArea(a, b) / Math.max(Math.min(boxArea(a), boxArea(b)), 1);
}

/** Keeps a box inside a `width` × `height` image (fractional coordinates kept). */
export function clipBox(b: Box, width: number, height: number): Box {
  return {
    x1: Math.min(Math.max(b.x1, 0), width),
    y1: Math.min(Math.max(b.y1, 0), height),
    x2: Math.min(Math.max(b.x2, 0), width),
    y2: Math.min(Math.max(b.y2, 0), height),
  };
}

/** Grows (or shrinks, with negative values) a box by a fraction of its own size on each side. */
export function expandBox(b: Box, fx: number, fy: number = fx): Box {
  const dx = boxWidth(b) * fx;
  const dy = boxHeight(b) * fy;
  return { x1: b.x1 - dx, y1: b.y1 - dy, x2: b.x2 + dx, y2: b.y2 + dy };
}

/** The box with its x scaled by `kx` and its y by `ky` (the same picture at another size). */
export function scaleBox(b: Box, kx: number, ky: number = kx): Box {
  return { x1: b.x1 * kx, y1: b.y1 * ky, x2: b.x2 * kx, y2: b.y2 * ky };
}

export function unionBox(boxes: readonly Box[]): Box {
  let x1 = Infinity;
  let y1 = Infinity;
  let x2 = -Infinity;
  let y2 = -Infinity;
  for (const b of boxes) {
    x1 = Math.min(x1, b.x1);
    y1 = Math.min(y1, b.y1);
    x2 = Math.max(x2, b.x2);
    y2 = Math.max(y2, b.y2);
  }
  return { x1, y1, x2, y2 };
}

/** Rounds a box to whole pixels (outwards), for output and drawing. */
export function roundBox(b: Box): Box {
  return { x1: Math.floor(b.x1), y1: Math.floor(b.y1), x2: Math.ceil(b.x2), y2: Math.ceil(b.y2) };
}

/** The shorter side: what the minimum-size rules compare against. */
export function shorterSide(b: Box): number {
  return Math.min(boxWidth(b), boxHeight(b));
}

/** Whole-pixel box inside the frame; at least 1×1 when the frame is not empty (for crops). */
export function pixelBox(b: Box, frameWidth: number, frameHeight: number): Box {
  const x1 = Math.min(Math.max(0, Math.floor(b.x1)), Math.max(0, frameWidth - 1));
  const y1 = Math.min(Math.max(0, Math.floor(b.y1)), Math.max(0, frameHeight - 1));
  const x2 = Math.max(x1 + 1, Math.min(frameWidth, Math.ceil(b.x2)));
  const y2 = Math.max(y1 + 1, Math.min(frameHeight, Math.ceil(b.y2)));
  return { x1, y1, x2, y2 };
}

/** The box grown by `ratio` of its size on every side, as a whole-pixel box inside the frame. */
export function padBox(b: Box, ratio: number, frameWidth: number, frameHeight: number): Box {
  return pixelBox(expandBox(b, ratio), frameWidth, frameHeight);
}
