// A second read of a weak plate read, on the plate's box with a margin. The reader stretches
// the box it is given to its input; a located box that clips the plate's first or last
// character (a tight detector box) leaves that slot unsure (motor close-ups: `H5606CL` with the
// last slot at 0.34), and the same plate with a little of its border around it reads surely.
// A box much taller than a plate (the detector's loose box on a close-up, reaching over the
// fender or the headlamp) is squashed into the reader's 2:1 input: it is read again in
// plate-shaped windows from its top to its bottom (id_park_motor8's 300×300 box reads `K5683`,
// its window over the plate `H5683PK`).
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

/** A box narrower than this × its height is taller than a plate: its windows are read too. */
export const TALL_ASPECT = 2;
/** A window's width over its height (a one-row plate with a validity row under it, e.g. Indonesia's). */
export const WINDOW_ASPECT = 2.2;
/** Windows step down by this share of their height. */
const WINDOW_STEP = 0.25;

/**
 * Plate-shaped windows of a box taller than a plate (TALL_ASPECT), the box's width and
 * 1/WINDOW_ASPECT of it tall, from its top to its bottom; none for a plate-shaped box.
 */
export function plateWindows(plate: PlateLocation): PlateLocation[] {
  const { box } = plate;
  const w = boxWidth(box);
  const h = boxHeight(box);
  if (w <= 0 || w >= TALL_ASPECT * h) return [];
  const wh = w / WINDOW_ASPECT;
  const steps = Math.ceil((h - wh) / (WINDOW_STEP * wh));
  const out: PlateLocation[] = [];
  for (let k = 0; k <= steps; k++) {
    const y1 = box.y1 + ((h - wh) * k) / steps;
    const window = { x1: box.x1, y1, x2: box.x2, y2: y1 + wh };
    out.push({ ...plate, box: window, rows: [window] });
  }
  return out;
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

/** The read kept of a first read and its re-reads: each re-read in turn against the one kept so far (preferReread). */
export function preferRereads(first: PlateTextRead, again: readonly PlateTextRead[], fits: (read: PlateTextRead) => boolean): PlateTextRead {
  return again.reduce((kept, a) => preferReread(kept, a, fits), first);
}
