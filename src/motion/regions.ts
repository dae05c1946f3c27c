// Where the scene detector looks: squares cut from the frame at full detail around boxes of
// interest (motion, tracked objects), or tiles over a still image. Pure.
//
// A region is square, at least `size` pixels on a side (the model's input size, so it is not
// downscaled), inside the frame, and grows to hold a bigger box with a margin. A box already
// inside a region adds none.
import type { Box } from '../shared/types.js';
import { boxArea, boxHeight, boxWidth } from '../shared/box.js';

/** Margin around a box of interest, as a share of its larger side, on every side. */
const MARGIN = 0.15;

export interface RegionPlan {
  /** `whole`: one pass over the whole frame; `regions`: the squares; `none`: nothing to look at. */
  readonly mode: 'whole' | 'regions' | 'none';
  readonly regions: readonly Box[];
}

export interface PlanOptions {
  readonly width: number;
  readonly height: number;
  /** Smallest region side, pixels. */
  readonly size: number;
  /** More regions than this: the whole frame instead. */
  readonly maxRegions: number;
}

/** A square of side `side` centred on the box, moved inside the frame (shrunk to it when larger). */
export function squareAround(b: Box, side: number, width: number, height: number): Box {
  const sw = Math.min(side, width);
  const sh = Math.min(side, height);
  const cx = (b.x1 + b.x2) / 2;
  const cy = (b.y1 + b.y2) / 2;
  const x1 = Math.round(Math.min(Math.max(cx - sw / 2, 0), width - sw));
  const y1 = Math.round(Math.min(Math.max(cy - sh / 2, 0), height - sh));
  return { x1, y1, x2: x1 + sw, y2: y1 + sh };
}

function contains(outer: Box, inner: Box): boolean {
  return inner.x1 >= outer.x1 && inner.y1 >= outer.y1 && inner.x2 <= outer.x2 && inner.y2 <= outer.y2;
}

/**
 * Groups boxes of interest into few regions, largest box first. The whole frame when a box
 * needs a region as large as the frame's shorter side, or when more than `maxRegions` regions
 * would be needed.
 */
export function planRegions(boxes: readonly Box[], o: PlanOptions): RegionPlan {
  if (boxes.length === 0) return { mode: 'none', regions: [] };
  const whole: RegionPlan = { mode: 'whole', regions: [{ x1: 0, y1: 0, x2: o.width, y2: o.height }] };
  const sorted = [...boxes].sort((a, b) => boxArea(b) - boxArea(a));
  const regions: Box[] = [];
  for (const b of sorted) {
    const m = MARGIN * Math.max(boxWidth(b), boxHeight(b));
    const padded = { x1: b.x1 - m, y1: b.y1 - m, x2: b.x2 + m, y2: b.y2 + m };
    const want = clip(padded, o.width, o.height);
    if (regions.some((r) => contains(r, want))) continue;
    const side = Math.ceil(Math.max(o.size, boxWidth(padded), boxHeight(padded)));
    if (side >= Math.min(o.width, o.height)) return whole;
    regions.push(squareAround(b, side, o.width, o.height));
    if (regions.length > o.maxRegions) return whole;
  }
  return { mode: 'regions', regions };
}

function clip(b: Box, width: number, height: number): Box {
  return { x1: Math.max(0, b.x1), y1: Math.max(0, b.y1), x2: Math.min(width, b.x2), y2: Math.min(height, b.y2) };
}

/**
 * Square tiles of side `side` covering a `width` × `height` image, overlapping by at least
 * `overlap` of a side, so an object up to that size lies whole inside some tile. Empty when
 * one tile would be the whole image.
 */
export function tileRegions(width: number, height: number, side: number, overlap = 0.25): Box[] {
  const s = Math.round(side);
  if (s >= width && s >= height) return [];
  const starts = (extent: number): number[] => {
    const len = Math.min(s, extent);
    if (len >= extent) return [0];
    const n = Math.ceil((extent - len * overlap) / (len * (1 - overlap)));
    const step = (extent - len) / Math.max(1, n - 1);
    return Array.from({ length: n }, (_, i) => Math.round(i * step));
  };
  const tiles: Box[] = [];
  for (const y of starts(height)) for (const x of starts(width)) tiles.push({ x1: x, y1: y, x2: Math.min(width, x + s), y2: Math.min(height, y + s) });
  return tiles;
}

/**
 * True when a detection touches an edge of its region that is not an edge of the frame: the
 * object was cut by the region, and another region (or the whole-frame pass) should see it whole.
 */
export function cutByRegion(det: Box, region: Box, width: number, height: number, tolerance = 2): boolean {
  return (
    (region.x1 > 0 && det.x1 <= region.x1 + tolerance) ||
    (region.y1 > 0 && det.y1 <= region.y1 + tolerance) ||
    (region.x2 < width && det.x2 >= region.x2 - tolerance) ||
    (region.y2 < height && det.y2 >= region.y2 - tolerance)
  );
}
