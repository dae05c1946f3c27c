// The plate detector (open-image-models YOLOv9-t end-to-end, MIT, Copyright (c) 2024 ankandrew)
// run on the region where a vehicle's plate is: the vehicle box and a band below it, in the
// frame's own pixels. NMS is inside the model; its head is [N, 7].
import { Tensor } from 'onnxruntime-node';
import type { ModelsConfig } from '../config/schema.js';
import { AgentError } from '../shared/errors.js';
import type { Box, Detection } from '../shared/types.js';
import { boxHeight, boxWidth, clipBox, iou } from '../shared/box.js';
import type { PlateLocation, PlateLocator } from './plate.js';
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

/** Where a vehicle's plate is searched: its box widened by `side` and extended `below` its height downwards. */
export function plateRegionOf(vehicle: Box, below: number, side: number): Box {
  const w = boxWidth(vehicle);
  const h = boxHeight(vehicle);
  return { x1: vehicle.x1 - side * w, y1: vehicle.y1, x2: vehicle.x2 + side * w, y2: vehicle.y2 + below * h };
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

export class PlateDetectorLocator implements PlateLocator {
  private readonly spec: TensorSpec;
  private readonly input: Float32Array;

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
    this.input = allocTensor(this.spec, 1) as Float32Array;
  }

  /**
   * Plates in a region. `zoomOut` > 1 draws the region into the middle 1/zoomOut of the input
   * (the rest is padding): the detector misses plates that fill most of its input (close-ups)
   * but finds them smaller.
   */
  async locateIn(image: RgbImage, region: Box, sw: Stopwatch, zoomOut = 1): Promise<PlateLocation[]> {
    sw.start();
    const t = zoomOut > 1 ? this.fillZoomedOut(image, region, zoomOut) : fillTensor(image, region, this.spec, this.input, 0);
    const feeds = { [this.session.inputNames[0]!]: new Tensor('float32', this.input, [1, 3, this.spec.height, this.spec.width]) };
    sw.lap('plate.det.pre');
    const out = await this.session.run(feeds);
    sw.lap('plate.det.model');
    const o = out[this.session.outputNames[0]!];
    if (!o || !(o.data instanceof Float32Array)) throw new AgentError('RSA_MODEL_SHAPE', 'plate detector: output is not a float32 tensor');
    const plates = decodePlateHead(o.data, o.dims, this.config.score_threshold)
      .map((b) => ({ box: clipBox(toImageBox(b, t), image.width, image.height), score: b.score }))
      .filter((p) => boxWidth(p.box) >= 4 && boxHeight(p.box) >= 3)
      .map((p) => ({ box: p.box, rows: [p.box], score: p.score }));
    sw.lap('plate.det.post');
    return plates;
  }

  /** Draws the region letterboxed into the centre 1/zoomOut of the input, padding around it. */
  private fillZoomedOut(image: RgbImage, region: Box, zoomOut: number): InputTransform {
    const S = this.spec.width;
    const s = Math.max(32, Math.round(S / zoomOut));
    const small: TensorSpec = { ...this.spec, width: s, height: s };
    const tmp = allocTensor(small, 1) as Float32Array;
    const t = fillTensor(image, region, small, tmp, 0);
    this.input.fill(this.spec.padValue * this.spec.scale);
    const off = Math.floor((S - s) / 2);
    for (let c = 0; c < 3; c++) {
      for (let y = 0; y < s; y++) this.input.set(tmp.subarray(c * s * s + y * s, c * s * s + (y + 1) * s), c * S * S + (y + off) * S + off);
    }
    return { ...t, offsetX: t.offsetX + off, offsetY: t.offsetY + off };
  }

  async locate(image: RgbImage, vehicle: Detection, sw: Stopwatch): Promise<PlateLocation | null> {
    const region = clipBox(plateRegionOf(vehicle.box, this.config.below, this.config.side), image.width, image.height);
    if (boxWidth(region) < 8 || boxHeight(region) < 8) return null;
    return pickPlate(await this.locateIn(image, region, sw), vehicle.box);
  }

  /** The whole image at 1× and, for close-ups, zoomed out; overlapping finds kept once (the better). */
  async locateWhole(image: RgbImage, sw: Stopwatch): Promise<PlateLocation[]> {
    const whole = { x1: 0, y1: 0, x2: image.width, y2: image.height };
    const all = [...(await this.locateIn(image, whole, sw))];
    if (this.config.zoom_out > 1) all.push(...(await this.locateIn(image, whole, sw, this.config.zoom_out)));
    all.sort((a, b) => b.score - a.score);
    const kept: PlateLocation[] = [];
    for (const p of all) if (!kept.some((k) => iou(k.box, p.box) > 0.3)) kept.push(p);
    return kept;
  }
}
