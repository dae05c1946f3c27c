// The helmet decision by a head detector: one model finds the heads in each rider's upper region
// and judges each helmet / no_helmet, batched over the frame's riders. A region may hold more
// than one head (a passenger behind the driver, a child in front): every head found is judged,
// once, as a rider entry of the person it sits on.
import { Tensor } from 'onnxruntime-node';
import type { ModelsConfig } from '../config/schema.js';
import { AgentError } from '../shared/errors.js';
import type { Box, Detection, HelmetVerdict } from '../shared/types.js';
import { boxWidth, clipBox } from '../shared/box.js';
import type { RawBox } from './heads.js';
import { verdictFromProbability, type HelmetJudge } from './helmet.js';
import { tensorDims, tensorSpec } from './model-input.js';
import { mergeViews, mirrorInto, unmirrorRows } from './head-views.js';
import { dropContained, nmsPerClass } from './nms.js';
import { allocTensor, fillTensor, tensorElements, type RgbImage, type TensorSpec } from './preprocess.js';
import type { ModelSession } from './session.js';
import type { Stopwatch } from './timings.js';

type HeadDetectorConfig = Extract<ModelsConfig['helmet'], { type: 'head_detector' }>;

/** Where a rider's heads are looked for, as config models.helmet.region gives it (its labels.json `region`). */
export interface HeadRegionRule {
  /** The square's side is the larger of width_fraction × person width and height_fraction × person height. */
  width_fraction: number;
  height_fraction: number;
  /** How far above the person box the square starts, as a share of its side. */
  lift: number;
}

/** The square a rider's heads are searched in, centred on the person box; may reach outside the frame (edge pixels pad it). */
export function headRegion(person: Box, rule: HeadRegionRule): Box {
  const side = Math.max(1, rule.width_fraction * boxWidth(person), rule.height_fraction * (person.y2 - person.y1));
  const cx = (person.x1 + person.x2) / 2;
  const top = person.y1 - rule.lift * side;
  return { x1: cx - side / 2, y1: top, x2: cx + side / 2, y2: top + side };
}

/** A head found in a region: its box in frame pixels, how sure the model is that a head is there (`score`; one class, 0), and P(no_helmet). */
export interface FoundHead extends RawBox {
  readonly noHelmet: number;
}

/** A head's region in the agent's own crops (median over the val split's): side 2.2 head sides, its centre 0.18 sides below the head's. */
export const HEAD_CONTEXT = { side: 2.2, below: 0.18 };

/** Values per output row: cx, cy, w, h (input pixels), presence, P(helmet), P(no_helmet). */
export const HEAD_ROW = 7;

/**
 * One region's heads from its output rows: presence at or above `presenceThreshold`, overlaps
 * above `nmsIou` suppressed (the surer kept), surest first, mapped from the model's square input
 * of side `size` back to frame pixels.
 */
export function decodeHeads(rows: Float32Array, region: Box, size: number, presenceThreshold: number, nmsIou: number): FoundHead[] {
  const k = (region.x2 - region.x1) / size;
  const found: FoundHead[] = [];
  for (let p = 0; p + HEAD_ROW <= rows.length; p += HEAD_ROW) {
    const presence = rows[p + 4]!;
    if (!(presence >= presenceThreshold)) continue;
    const cx = rows[p]!, cy = rows[p + 1]!, hw = rows[p + 2]! / 2, hh = rows[p + 3]! / 2;
    found.push({ x1: region.x1 + (cx - hw) * k, y1: region.y1 + (cy - hh) * k, x2: region.x1 + (cx + hw) * k, y2: region.y1 + (cy + hh) * k, score: presence, classId: 0, noHelmet: rows[p + 6]! });
  }
  return nmsPerClass(found, nmsIou, Infinity);
}

export class HeadDetectorJudge implements HelmetJudge {
  private readonly spec: TensorSpec;
  private buffer: Float32Array | Uint8Array;

  constructor(
    private readonly session: ModelSession,
    private readonly config: HeadDetectorConfig,
  ) {
    this.spec = tensorSpec(config.input);
    if (this.spec.width !== this.spec.height) throw new AgentError('RSA_CONFIG_INVALID', `models.helmet.input: a head detector's input must be square, not ${this.spec.width}x${this.spec.height}`);
    this.buffer = allocTensor(this.spec, 8);
  }

  async judge(image: RgbImage, persons: readonly Detection[], sw: Stopwatch): Promise<HelmetVerdict[][]> {
    const regions = persons.map((p) => headRegion(p.box, this.config.region));
    const found = await this.findHeads(image, regions, sw);
    const c = this.config;
    const out = attributeHeads(persons.map((p) => p.box), found, c.nms_iou).map((heads, i): HelmetVerdict[] => {
      // No head found in the region: nothing judged; the region's top stands for where the head would be.
      if (found[i]!.length === 0) return [{ verdict: 'unknown', noHelmetScore: 0, headBox: clipBox(topSquare(regions[i]!), image.width, image.height) }];
      return heads.map((h) => ({
        verdict: verdictFromProbability(h.noHelmet, c.threshold, c.helmet_threshold),
        noHelmetScore: h.noHelmet,
        headBox: clipBox(h, image.width, image.height),
      }));
    });
    sw.lap('helmet.post');
    return out;
  }

  /**
   * P(no_helmet) of given head boxes (e.g. labelled head crops): each is searched in a region of
   * the agent regions' median geometry around a head; the surest head found over the box's centre
   * decides, none found is 0.
   */
  async scoreHeads(image: RgbImage, heads: readonly Box[], sw: Stopwatch): Promise<number[]> {
    const regions = heads.map((h) => {
      const side = HEAD_CONTEXT.side * Math.max(boxWidth(h), h.y2 - h.y1);
      const cx = (h.x1 + h.x2) / 2;
      const cy = (h.y1 + h.y2) / 2 + HEAD_CONTEXT.below * side;
      return { x1: cx - side / 2, y1: cy - side / 2, x2: cx + side / 2, y2: cy + side / 2 };
    });
    const found = await this.findHeads(image, regions, sw);
    return heads.map((h, i) => {
      const cx = (h.x1 + h.x2) / 2;
      const cy = (h.y1 + h.y2) / 2;
      return found[i]!.find((f) => f.x1 <= cx && cx <= f.x2 && f.y1 <= cy && cy <= f.y2)?.noHelmet ?? 0;
    });
  }

  /** Each region's heads, surest first, in one batch (with each region's mirrored view after the plain ones when `flip`). */
  private async findHeads(image: RgbImage, regions: readonly Box[], sw: Stopwatch): Promise<FoundHead[][]> {
    const n = regions.length;
    if (n === 0) return [];
    sw.start();
    const views = this.config.flip ? 2 : 1;
    if (this.buffer.length < tensorElements(this.spec, views * n)) this.buffer = allocTensor(this.spec, views * n);
    regions.forEach((r, i) => fillTensor(image, r, this.spec, this.buffer, i));
    if (views === 2) for (let i = 0; i < n; i++) mirrorInto(this.buffer, this.spec, i, n + i);
    const feeds = { [this.session.inputNames[0]!]: new Tensor(this.spec.dtype, this.buffer.subarray(0, tensorElements(this.spec, views * n)), tensorDims(this.spec, views * n)) };
    sw.lap('helmet.pre');
    const out = await this.session.run(feeds);
    sw.lap('helmet.model');
    const t = out[this.session.outputNames[0]!];
    if (!t || !(t.data instanceof Float32Array) || t.dims.length !== 3 || t.dims[0] !== views * n || t.dims[2] !== HEAD_ROW) {
      throw new AgentError('RSA_MODEL_SHAPE', `helmet head detector: output [${t?.dims.join(',')}] is not [${views * n},N,${HEAD_ROW}] head rows`);
    }
    return this.decodeViews(t.data, t.dims[1]!, regions, views);
  }

  /** Each region's heads from the output rows (`rowsPer` per batch item); with two views, region i's mirrored view is item n + i. */
  private decodeViews(data: Float32Array, rowsPer: number, regions: readonly Box[], views: number): FoundHead[][] {
    const { presence_threshold: presence, nms_iou: nmsIou } = this.config;
    const size = this.spec.width;
    const rows = (k: number): Float32Array => data.subarray(k * rowsPer * HEAD_ROW, (k + 1) * rowsPer * HEAD_ROW);
    return regions.map((r, i) => {
      const plain = decodeHeads(rows(i), r, size, presence, nmsIou);
      if (views === 1) return plain;
      const mirrored = decodeHeads(unmirrorRows(rows(regions.length + i), size, HEAD_ROW), r, size, presence, nmsIou);
      return nmsPerClass(mergeViews(plain, mirrored), nmsIou, Infinity);
    });
  }
}

/**
 * How much of the smaller of two found heads must lie inside the other for them to be one head
 * (the surer kept): the detector's offset second boxes over one helmet, which IoU lets through
 * (training/helmet/heads_judge.py SAME_HEAD_COVER). At 0.6 nothing changes on the val split's
 * labelled heads (at 0.5 one is lost); on street CCTV it drops duplicate heads judged no_helmet.
 */
export const SAME_HEAD_COVER = 0.6;

/**
 * Each head once: heads that several riders' regions found (IoU above `nmsIou`, or one mostly
 * inside the other: SAME_HEAD_COVER) are one, the surest kept, and it goes to the person whose
 * box's top centre is nearest to it (in person widths). Per person, its heads surest first; a
 * person whose region's heads all went to others gets none.
 */
export function attributeHeads(persons: readonly Box[], found: readonly (readonly FoundHead[])[], nmsIou: number): FoundHead[][] {
  const out: FoundHead[][] = persons.map(() => []);
  for (const h of dropContained(nmsPerClass(found.flat(), nmsIou, Infinity), SAME_HEAD_COVER)) out[nearestPerson(persons, h)]!.push(h);
  return out;
}

function nearestPerson(persons: readonly Box[], head: Box): number {
  const hx = (head.x1 + head.x2) / 2;
  const hy = (head.y1 + head.y2) / 2;
  let best = 0;
  let bestD = Infinity;
  persons.forEach((p, i) => {
    const w = Math.max(1, boxWidth(p));
    const d = Math.hypot((hx - (p.x1 + p.x2) / 2) / w, (hy - p.y1) / w);
    if (d < bestD) {
      bestD = d;
      best = i;
    }
  });
  return best;
}

/** The top square of a region a third of its side: where a rider's head is when none was found. */
function topSquare(r: Box): Box {
  const side = boxWidth(r) / 3;
  const cx = (r.x1 + r.x2) / 2;
  return { x1: cx - side / 2, y1: r.y1, x2: cx + side / 2, y2: r.y1 + side };
}
