// Direction of travel of a track, from its first and last box: towards or away from the camera
// (the box grows or shrinks, the wheels move down or up the picture) and the heading in the image.
import { boxHeight } from '../shared/box.js';
import type { Box } from '../shared/types.js';

export type TravelKind = 'towards' | 'away' | 'across' | 'still';

export interface TravelDirection {
  readonly direction: TravelKind;
  /**
   * Heading of the box's bottom centre (where the wheels touch the road) in the image, degrees
   * in (-180, 180]: 0 = to the right, 90 = down the picture, -90 = up; null when still.
   */
  readonly headingDeg: number | null;
}

/** Growth of ln(height) plus this much per box height moved down counts towards the camera. */
const DOWN_WEIGHT = 0.3;
/** |score| under this: neither towards nor away. */
const APPROACH_MIN = 0.1;
/** Moved less than this many box heights and barely changed size: still. */
const STILL_MAX = 0.25;

export function travelDirection(first: Box, last: Box): TravelDirection {
  const h0 = Math.max(boxHeight(first), 1);
  const h1 = Math.max(boxHeight(last), 1);
  const hMean = (h0 + h1) / 2;
  const dx = (last.x1 + last.x2) / 2 - (first.x1 + first.x2) / 2;
  const dy = last.y2 - first.y2;
  const growth = Math.log(h1 / h0);
  const moved = Math.hypot(dx, dy) / hMean;
  if (moved < STILL_MAX && Math.abs(growth) < APPROACH_MIN) return { direction: 'still', headingDeg: null };
  const score = growth + (DOWN_WEIGHT * dy) / hMean;
  const direction: TravelKind = score > APPROACH_MIN ? 'towards' : score < -APPROACH_MIN ? 'away' : 'across';
  const heading = moved < STILL_MAX / 2 ? null : Math.round((Math.atan2(dy, dx) * 180) / Math.PI);
  return { direction, headingDeg: heading === -180 ? 180 : heading };
}
