import type { Box } from '../shared/types.js';

export type Point = readonly [number, number];

/** Even-odd ray casting; points on an edge may fall either way. */
export function pointInPolygon(x: number, y: number, polygon: readonly Point[]): boolean {
  let inside = false;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const [xi, yi] = polygon[i]!;
    const [xj, yj] = polygon[j]!;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/**
 * Whether a motorcycle counts for the zone: the bottom centre of its box (where the wheels touch
 * the road) inside the polygon, in coordinates normalised to the frame. No zone: everywhere.
 */
export function inZone(box: Box, frameWidth: number, frameHeight: number, zone: readonly Point[] | null): boolean {
  if (zone === null) return true;
  const x = (box.x1 + box.x2) / 2 / frameWidth;
  const y = box.y2 / frameHeight;
  return pointInPolygon(x, y, zone);
}
