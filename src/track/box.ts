import type { Box } from '../shared/types.js';

export function boxWidth(b: Box): number {
  return Math.max(0, b.x2 - b.x1);
}

export function boxHeight(b: Box): number {
  return Math.max(0, b.y2 - b.y1);
}

export function boxArea(b: Box): number {
  return boxWidth(b) * boxHeight(b);
}

/** The shorter side: what the minimum-size rules compare against. */
export function shorterSide(b: Box): number {
  return Math.min(boxWidth(b), boxHeight(b));
}

/** Intersection over union, 0 when the boxes do not overlap (or either is empty). */
export function iou(a: Box, b: Box): number {
  const ix = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1);
  const iy = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1);
  if (ix <= 0 || iy <= 0) return 0;
  const inter = ix * iy;
  const union = boxArea(a) + boxArea(b) - inter;
  return union > 0 ? inter / union : 0;
}

/** Centre and size: the state the tracker's motion model predicts. */
export interface BoxState {
  cx: number;
  cy: number;
  w: number;
  h: number;
}

export function toState(b: Box): BoxState {
  return { cx: (b.x1 + b.x2) / 2, cy: (b.y1 + b.y2) / 2, w: boxWidth(b), h: boxHeight(b) };
}

export function fromState(s: BoxState): Box {
  const w = Math.max(1, s.w);
  const h = Math.max(1, s.h);
  return { x1: s.cx - w / 2, y1: s.cy - h / 2, x2: s.cx + w / 2, y2: s.cy + h / 2 };
}

/** The box grown by `ratio` of its size on every side, clipped to the frame, in whole pixels. */
export function padBox(b: Box, ratio: number, frameWidth: number, frameHeight: number): Box {
  const dx = boxWidth(b) * ratio;
  const dy = boxHeight(b) * ratio;
  return clipBox({ x1: b.x1 - dx, y1: b.y1 - dy, x2: b.x2 + dx, y2: b.y2 + dy }, frameWidth, frameHeight);
}

/** Whole-pixel box inside the frame; at least 1×1 when the frame is not empty. */
export function clipBox(b: Box, frameWidth: number, frameHeight: number): Box {
  const x1 = Math.min(Math.max(0, Math.floor(b.x1)), Math.max(0, frameWidth - 1));
  const y1 = Math.min(Math.max(0, Math.floor(b.y1)), Math.max(0, frameHeight - 1));
  const x2 = Math.max(x1 + 1, Math.min(frameWidth, Math.ceil(b.x2)));
  const y2 = Math.max(y1 + 1, Math.min(frameHeight, Math.ceil(b.y2)));
  return { x1, y1, x2, y2 };
}
