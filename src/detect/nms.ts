// Greedy non-maximum suppression: per class, a box is dropped when a higher-scored box of the
// same class overlaps it by more than `iouThreshold` (nmsPerClass); or when it lies mostly inside
// a higher-scored box (dropContained).
import { boxArea, intersectionArea, iou } from '../shared/box.js';
import type { RawBox } from './heads.js';

export function nmsPerClass<T extends RawBox>(boxes: readonly T[], iouThreshold: number, maxKept = 300): T[] {
  const sorted = [...boxes].sort((a, b) => b.score - a.score);
  const kept: T[] = [];
  const suppressed = new Uint8Array(sorted.length);
  for (let i = 0; i < sorted.length && kept.length < maxKept; i++) {
    if (suppressed[i]) continue;
    const a = sorted[i]!;
    kept.push(a);
    for (let j = i + 1; j < sorted.length; j++) {
      if (suppressed[j]) continue;
      const b = sorted[j]!;
      if (b.classId === a.classId && iou(a, b) > iouThreshold) suppressed[j] = 1;
    }
  }
  return kept;
}

/**
 * Boxes that lie mostly inside a surer one dropped: a box whose overlap with a higher-scored box
 * exceeds `cover` of the smaller of the two areas (whatever their classes). Where IoU misses it:
 * a small box inside a large one, or two offset boxes over one object.
 */
export function dropContained<T extends RawBox>(boxes: readonly T[], cover: number): T[] {
  const kept: T[] = [];
  for (const b of [...boxes].sort((x, y) => y.score - x.score)) {
    if (!kept.some((k) => intersectionArea(k, b) > cover * Math.min(boxArea(k), boxArea(b)))) kept.push(b);
  }
  return kept;
}
