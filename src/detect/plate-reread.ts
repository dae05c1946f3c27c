// A second read of a weak plate read, on the plate's box with a margin. The reader stretches
// the box it is given to its input; a located box that clips the plate's first or last
// character (a tight detector box) leaves that slot unsure (motor close-ups: `H5606CL` with the
// last slot at 0.34), and the same plate with a little of its border around it reads surely.
import { boxHeight, boxWidth, clipBox } from '../shared/box.js';
import type { Box } from '../shared/types.js';
import type { PlateLocation, PlateTextRead } from './plate.js';

/** A read whose least sure character is under this is read again, with a margin. */
export const WEAK_SLOT = 0.5;
/** The margin: this share of the box's width at each side, of its height above and below. */
export const REREAD_MARGIN = { x: 0.04, y: 0.06 } as const;

/** The reader's probability for the least sure character; 0 for an empty read. */
export function weakestSlot(read: Pick<PlateTextRead, 'chars'>): number {
  return read.chars.length === 0 ? 0 : Math.min(...read.chars.map((c) => c.p));
}

/**
 * The plate with the margin around its box and each of its rows, inside the image; null when
 * the image leaves no margin to add (a crop that is the whole image).
 */
export function withMargin(plate: PlateLocation, width: number, height: number, margin: { x: number; y: number } = REREAD_MARGIN): PlateLocation | null {
  const dx = margin.x * boxWidth(plate.box);
  const dy = margin.y * boxHeight(plate.box);
  const grow = (b: Box): Box => clipBox({ x1: b.x1 - dx, y1: b.y1 - dy, x2: b.x2 + dx, y2: b.y2 + dy }, width, height);
  const box = grow(plate.box);
  const same = box.x1 === plate.box.x1 && box.y1 === plate.box.y1 && box.x2 === plate.box.x2 && box.y2 === plate.box.y2;
  return same ? null : { ...plate, box, rows: plate.rows.map(grow) };
}

/**
 * The read kept of a first read and its re-read: the re-read when it fits its region's formats
 * and the first does not, or both fit and its least sure character is surer; else the first.
 */
export function preferReread(first: PlateTextRead, again: PlateTextRead, fits: (read: PlateTextRead) => boolean): PlateTextRead {
  if (again.text.length === 0 || !fits(again)) return first;
  if (first.text.length === 0 || !fits(first)) return again;
  return weakestSlot(again) > weakestSlot(first) ? again : first;
}
