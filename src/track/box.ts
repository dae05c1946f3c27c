import { boxHeight, boxWidth } from '../shared/box.js';
import type { Box } from '../shared/types.js';

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
