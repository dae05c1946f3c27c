// Which plate searches share a plate-detector run. Vehicle regions: a 2×2 mosaic of half-size
// tiles, each region drawn letterboxed into one; a region fits a tile when its longer side is at
// most the tile's side times `maxShrink` (1 = never drawn smaller than its own pixels; only
// locating sees the tile's scale, the reader cuts each plate from the image). Whole frames: the
// frame at 1× and zoomed out share one run when the zoomed-out copy fits the padding band the
// 1× drawing leaves (a 16:9 frame does, a 4:3 one does not).
import type { Box } from '../shared/types.js';
import { boxHeight, boxWidth } from '../shared/box.js';

/** A rectangle of the model input a region is drawn into (letterboxed, centred). */
export interface Tile {
  region: Box;
  width: number;
  height: number;
  x: number;
  y: number;
}

export interface MosaicPlan {
  /** Regions (by index) searched in a run of their own. */
  alone: number[];
  /** Runs shared by up to four regions: each region's index and its tile. */
  runs: Array<Array<{ index: number; tile: Tile }>>;
}

/** Whether a region fits a half-size tile of a `size` input, drawn at most `maxShrink` times smaller. */
export function fitsTile(region: Box, size: number, maxShrink: number): boolean {
  return Math.max(boxWidth(region), boxHeight(region)) <= Math.floor(size / 2) * maxShrink;
}

/**
 * Regions (null: not searched) into runs: those fitting a tile four to a run, in order; the rest
 * alone. `maxShrink` 0: no mosaic, every region alone.
 */
export function planMosaic(regions: ReadonlyArray<Box | null>, size: number, maxShrink: number): MosaicPlan {
  const alone: number[] = [];
  const small: number[] = [];
  regions.forEach((r, i) => {
    if (r) (fitsTile(r, size, maxShrink) ? small : alone).push(i);
  });
  const half = Math.floor(size / 2);
  const runs: MosaicPlan['runs'] = [];
  for (let k = 0; k < small.length; k += 4) {
    runs.push(small.slice(k, k + 4).map((index, j) => ({ index, tile: { region: regions[index]!, width: half, height: half, x: (j % 2) * half, y: Math.floor(j / 2) * half } })));
  }
  return { alone, runs };
}

/**
 * A whole `width` × `height` frame at 1× (filling the input's long side) and at 1/zoomOut, as
 * two tiles of one input: the 1× drawing against one edge, the zoomed-out one centred in the band
 * left beside it. Null when that band is too narrow (then they run apart).
 */
export function wholeFrameTiles(width: number, height: number, size: number, zoomOut: number): [Tile, Tile] | null {
  const region = { x1: 0, y1: 0, x2: width, y2: height };
  const wide = width >= height;
  const long = wide ? width : height;
  const short = wide ? height : width;
  const drawn = Math.min(size, Math.max(1, Math.round((short * size) / long)));
  const band = size - drawn;
  const small = Math.max(32, Math.round(size / Math.max(zoomOut, 1)));
  if (zoomOut <= 1 || Math.round((short * small) / long) > band) return null;
  const at = Math.floor((size - small) / 2);
  if (wide) return [{ region, width: size, height: drawn, x: 0, y: 0 }, { region, width: small, height: band, x: at, y: drawn }];
  return [{ region, width: drawn, height: size, x: 0, y: 0 }, { region, width: band, height: small, x: drawn, y: at }];
}
