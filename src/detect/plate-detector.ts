// The plate detector (open-image-models YOLOv9-t end-to-end, MIT, Copyright (c) 2024 ankandrew)
// run on the region where a vehicle's plate is: the vehicle box and a band below it, in the
// frame's own pixels. NMS is inside the model; its head is [N, 7]. A whole frame where nothing
// is found is searched again as its negative (light characters on a dark plate, see locateWhole).
import { Tensor } from 'onnxruntime-node';
import type { ModelsConfig } from '../config/schema.js';
import { AgentError } from '../shared/errors.js';
import type { Box, Detection } from '../shared/types.js';
import { boxHeight, boxWidth, clipBox, iou } from '../shared/box.js';
import type { PlateLocation, PlateLocator } from './plate.js';
import { planMosaic, wholeFrameTiles, type Tile } from './plate-mosaic.js';
import { allocTensor, fillTensor, toImageBox, type InputTransform, type RgbImage, type TensorSpec } from './preprocess.js';
import type { ModelSession } from './session.js';
import type { Stopwatch } from './timings.js';

export type PlateDetectorConfig = Extract<ModelsConfig['plate_locator'], { type: 'plate_detector' }>;

export interface PlateBox extends Box {
  readonly score: number;
}

/**
 * The end-to-end head: rows of `batch, x1, y1, x2, y2, class, score` in input pixels, NMS done.
 * Rows of other batch items, under the threshold, or empty are dropped.
 */
export function decodePlateHead(data: Float32Array, dims: readonly number[], scoreThreshold: number, batch = 0): PlateBox[] {
  const [n = -1, k = -1] = dims;
  if (dims.length !== 2 || k !== 7 || n < 0 || data.length < n * 7) {
    throw new AgentError('RSA_MODEL_SHAPE', `plate detector: output [${dims.join(',')}] is not [N,7] (batch, x1, y1, x2, y2, class, score)`);
  }
  const out: PlateBox[] = [];
  for (let i = 0; i < n; i++) {
    const p = i * 7;
    const score = data[p + 6]!;
    if (Math.round(data[p]!) !== batch || !(score >= scoreThreshold)) continue;
    const b = { x1: data[p + 1]!, y1: data[p + 2]!, x2: data[p + 3]!, y2: data[p + 4]!, score };
    if (b.x2 > b.x1 && b.y2 > b.y1) out.push(b);
  }
  return out.sort((a, b) => b.score - a.score);
}

/**
 * Where a vehicle's plate is searched: its box without the top `top` of its height, widened by
 * `side` and extended `below` its height downwards.
 */
export function plateRegionOf(vehicle: Box, below: number, side: number, top = 0): Box {
  const w = boxWidth(vehicle);
  const h = boxHeight(vehicle);
  return { x1: vehicle.x1 - side * w, y1: vehicle.y1 + top * h, x2: vehicle.x2 + side * w, y2: vehicle.y2 + below * h };
}

/**
 * The vehicle's own plate among those found in its region: the best score, weighted by how near
 * the plate's centre is to the vehicle's vertical axis (a neighbour's plate sits to one side).
 */
export function pickPlate(plates: readonly PlateLocation[], vehicle: Box): PlateLocation | null {
  const cx = (vehicle.x1 + vehicle.x2) / 2;
  const half = Math.max(boxWidth(vehicle) / 2, 1);
  let best: PlateLocation | null = null;
  let bestRank = -1;
  for (const p of plates) {
    const off = Math.min(1, Math.abs((p.box.x1 + p.box.x2) / 2 - cx) / half);
    const rank = p.score * (1 - 0.5 * off);
    if (rank > bestRank) [best, bestRank] = [p, rank];
  }
  return best;
}

/** A region drawn into the middle 1/zoomOut of a `size` input (the whole input at 1). */
function centredTile(region: Box, size: number, zoomOut: number): Tile {
  const s = Math.max(32, Math.round(size / Math.max(zoomOut, 1)));
  const off = Math.floor((size - s) / 2);
  return { region, width: s, height: s, x: off, y: off };
}

export class PlateDetectorLocator implements PlateLocator {
  private readonly spec: TensorSpec;
  /** The spec for drawing a frame's negative: padding that inverts to the spec's own. */
  private readonly negativeSpec: TensorSpec;
  private readonly input: Float32Array;
  /** Model runs so far (a mosaic of several regions is one). */
  runs = 0;

  constructor(
    private readonly session: ModelSession,
    private readonly config: PlateDetectorConfig,
  ) {
    this.spec = {
      width: config.size,
      height: config.size,
      channelOrder: 'rgb',
      layout: 'nchw',
      dtype: 'float32',
      scale: 1 / 255,
      mean: [0, 0, 0],
      std: [1, 1, 1],
      resize: 'letterbox-center',
      padValue: 114,
      interpolation: 'bilinear',
    };
    this.negativeSpec = { ...this.spec, padValue: 255 - this.spec.padValue };
    this.input = allocTensor(this.spec, 1) as Float32Array;
  }

  /**
   * Plates in a region. `zoomOut` > 1 draws the region into the middle 1/zoomOut of the input
   * (the rest is padding): the detector misses plates that fill most of its input (close-ups)
   * but finds them smaller.
   */
  async locateIn(image: RgbImage, region: Box, sw: Stopwatch, zoomOut = 1): Promise<PlateLocation[]> {
    return (await this.runTiles(image, [centredTile(region, this.spec.width, zoomOut)], sw))[0]!;
  }

  /**
   * One model run over up to four regions drawn side by side (a 2×2 mosaic of half-size tiles):
   * each region's plates, in image pixels. A tile of half the input still draws a roadside
   * motorcycle's region (150-300 px) at about its own resolution.
   */
  private async runTiles(image: RgbImage, tiles: readonly Tile[], sw: Stopwatch, negative = false): Promise<PlateLocation[][]> {
    sw.start();
    const S = this.spec.width;
    const spec = negative ? this.negativeSpec : this.spec;
    const transforms =
      tiles.length === 1 && tiles[0]!.width === S && tiles[0]!.height === S
        ? [fillTensor(image, tiles[0]!.region, spec, this.input, 0)]
        : (this.input.fill(spec.padValue * spec.scale), tiles.map((t) => this.drawTile(image, t, spec)));
    // The input is v / 255 (no mean, no std): 1 - x is the negative, its padding back at padValue.
    if (negative) for (let i = 0; i < this.input.length; i++) this.input[i] = 1 - this.input[i]!;
    const feeds = { [this.session.inputNames[0]!]: new Tensor('float32', this.input, [1, 3, S, S]) };
    sw.lap('plate.det.pre');
    const out = await this.session.run(feeds);
    this.runs++;
    sw.lap('plate.det.model');
    const o = out[this.session.outputNames[0]!];
    if (!o || !(o.data instanceof Float32Array)) throw new AgentError('RSA_MODEL_SHAPE', 'plate detector: output is not a float32 tensor');
    const found: PlateLocation[][] = tiles.map(() => []);
    for (const b of decodePlateHead(o.data, o.dims, this.config.score_threshold)) {
      const cx = (b.x1 + b.x2) / 2;
      const cy = (b.y1 + b.y2) / 2;
      const i = tiles.findIndex((t) => cx >= t.x && cx < t.x + t.width && cy >= t.y && cy < t.y + t.height);
      if (i < 0) continue;
      const r = tiles[i]!.region;
      const box = clipBox(toImageBox(b, transforms[i]!), image.width, image.height);
      const inRegion = { x1: Math.max(box.x1, r.x1), y1: Math.max(box.y1, r.y1), x2: Math.min(box.x2, r.x2), y2: Math.min(box.y2, r.y2) };
      if (boxWidth(inRegion) >= 4 && boxHeight(inRegion) >= 3) found[i]!.push({ box: inRegion, rows: [inRegion], score: b.score });
    }
    sw.lap('plate.det.post');
    return found;
  }

  /** Draws a region letterboxed into a tile of the input (the input already padded). */
  private drawTile(image: RgbImage, tile: Tile, spec: TensorSpec): InputTransform {
    const S = spec.width;
    const { width: w, height: h } = tile;
    const small: TensorSpec = { ...spec, width: w, height: h };
    const tmp = allocTensor(small, 1) as Float32Array;
    const t = fillTensor(image, tile.region, small, tmp, 0);
    for (let c = 0; c < 3; c++) {
      for (let y = 0; y < h; y++) this.input.set(tmp.subarray(c * w * h + y * w, c * w * h + (y + 1) * w), c * S * S + (y + tile.y) * S + tile.x);
    }
    return { ...t, offsetX: t.offsetX + tile.x, offsetY: t.offsetY + tile.y };
  }

  /** Where a vehicle's plate is searched in an image of this size: null when too small to search. */
  searchRegion(image: { width: number; height: number }, vehicle: Detection): Box | null {
    const region = clipBox(plateRegionOf(vehicle.box, this.config.below, this.config.side, this.config.top), image.width, image.height);
    return boxWidth(region) < 8 || boxHeight(region) < 8 ? null : region;
  }

  async locate(image: RgbImage, vehicle: Detection, sw: Stopwatch): Promise<PlateLocation | null> {
    const region = this.searchRegion(image, vehicle);
    return region ? pickPlate(await this.locateIn(image, region, sw), vehicle.box) : null;
  }

  /**
   * Every vehicle's plate, same order. With `mosaic`, regions that fit a tile (see plate-mosaic.ts)
   * share runs; larger regions get a run of their own. `pixelScale`: image pixels per detect-frame
   * pixel (1.5 on a 1080p plate picture over a 720p frame). A region may be drawn that much
   * smaller again: the detector still sees the detect frame's detail, and runs as often as on the
   * frame, while the plate is read from the image's own pixels.
   */
  async locateAll(image: RgbImage, vehicles: readonly Detection[], sw: Stopwatch, pixelScale = 1): Promise<Array<PlateLocation | null>> {
    const out: Array<PlateLocation | null> = vehicles.map(() => null);
    const regions = vehicles.map((v) => this.searchRegion(image, v));
    const plan = planMosaic(regions, this.config.size, this.config.mosaic ? this.config.mosaic_max_shrink * Math.max(1, pixelScale) : 0);
    for (const i of plan.alone) out[i] = pickPlate(await this.locateIn(image, regions[i]!, sw), vehicles[i]!.box);
    for (const run of plan.runs) {
      const found = await this.runTiles(image, run.map((m) => m.tile), sw);
      run.forEach((m, j) => (out[m.index] = pickPlate(found[j]!, vehicles[m.index]!.box)));
    }
    return out;
  }

  /**
   * The whole image at 1× and, for close-ups, zoomed out (one run when both fit the input, see
   * wholeFrameTiles); overlapping finds kept once (the better). When that finds nothing, the
   * same again on the image's negative: the detector misses most close-ups of plates with light
   * characters on a dark ground (Indonesia's black plates: 3 of 6 found) and finds them there.
   */
  async locateWhole(image: RgbImage, sw: Stopwatch): Promise<PlateLocation[]> {
    const plain = await this.searchWhole(image, sw, false);
    return plain.length > 0 ? plain : this.searchWhole(image, sw, true);
  }

  private async searchWhole(image: RgbImage, sw: Stopwatch, negative: boolean): Promise<PlateLocation[]> {
    const whole = { x1: 0, y1: 0, x2: image.width, y2: image.height };
    const S = this.spec.width;
    const z = this.config.zoom_out;
    const both = z > 1 ? wholeFrameTiles(image.width, image.height, S, z) : null;
    const all = both ? (await this.runTiles(image, both, sw, negative)).flat() : [...(await this.runTiles(image, [centredTile(whole, S, 1)], sw, negative))[0]!];
    if (z > 1 && !both) all.push(...(await this.runTiles(image, [centredTile(whole, S, z)], sw, negative))[0]!);
    all.sort((a, b) => b.score - a.score);
    const kept: PlateLocation[] = [];
    for (const p of all) if (!kept.some((k) => iou(k.box, p.box) > 0.3)) kept.push(p);
    return kept;
  }
}
