// Bare heads of helmet-frames val that belong to people on foot (looked at one by one; listed
// here, the pictures stay in the dataset folder). The labels mark every bare head in a photo,
// traffic police and passers-by included, and the agent must never judge those: a violation
// is a rider's. The eval counts every labelled head as the issue asks, and beside it the
// recall over riders' bare heads, which leaves these out. Riders whose motorcycle is cut off
// by the frame's edge stay in (the agent should find them): khadatkar_1-14's turbaned rider at
// the left edge, khadatkar_1-48's rider at the left edge.
import { basename } from 'node:path';
import { iou } from '../../src/shared/box.js';
import type { Box } from '../../src/shared/types.js';

/** File name in images/val and the head's box in pixels, as the labels give it (rounded). */
export const PEDESTRIAN_HEADS: readonly { file: string; box: Box }[] = [
  // Two traffic policemen in caps standing beside a stopped motorcycle.
  { file: 'khadatkar_1-18-_jpg.jpg', box: { x1: 45, y1: 42, x2: 63, y2: 68 } },
  { file: 'khadatkar_1-18-_jpg.jpg', box: { x1: 74, y1: 49, x2: 93, y2: 70 } },
  // A street crossing: a woman in green in front, a man in white walking away, a woman in a
  // sari, a man crossing on the right.
  { file: 'khadatkar_1-48-_jpg.jpg', box: { x1: 5, y1: 101, x2: 41, y2: 133 } },
  { file: 'khadatkar_1-48-_jpg.jpg', box: { x1: 18, y1: 58, x2: 34, y2: 73 } },
  { file: 'khadatkar_1-48-_jpg.jpg', box: { x1: 100, y1: 50, x2: 113, y2: 64 } },
  { file: 'khadatkar_1-48-_jpg.jpg', box: { x1: 217, y1: 46, x2: 233, y2: 63 } },
];

/** A labelled head is a listed one from this IoU up (the list's boxes are the labels' rounded). */
export const SAME_HEAD_IOU = 0.8;

/** Whether the labelled head `box` of `file` is one of PEDESTRIAN_HEADS (same file, IoU ≥ SAME_HEAD_IOU). */
export function isPedestrianHead(file: string, box: Box): boolean {
  const name = basename(file);
  return PEDESTRIAN_HEADS.some((p) => p.file === name && iou(p.box, box) >= SAME_HEAD_IOU);
}
