// Plate localisation in a motorcycle's region and plate OCR.
import { Tensor } from 'onnxruntime-node';
import type { ModelsConfig } from '../config/schema.js';
import { AgentError } from '../shared/errors.js';
import type { Box, Detection } from '../shared/types.js';
import { boxHeight, boxWidth, clipBox, expandBox } from '../shared/box.js';
import { ObjectDetector } from './object-detector.js';
import type { CharRead } from '../plate/formats.js';
import type { RegionGuess } from '../plate/check.js';
import { allocTensor, fillTensor, planFit, toImageBox, type RgbImage, type TensorSpec } from './preprocess.js';
import { plateSearchRegion } from './riders.js';
import type { ModelSession } from './session.js';
import { plateCandidates, textBoxes } from './text-boxes.js';
import type { Stopwatch } from './timings.js';

/** Where a plate is, in frame pixels: the whole plate and its text rows (top to bottom). */
export interface PlateLocation {
  box: Box;
  rows: Box[];
  score: number;
}

export interface PlateLocator {
  locate(image: RgbImage, motorcycle: Detection, sw: Stopwatch): Promise<PlateLocation | null>;
  /** Where `locate` reads for a vehicle in an image of this size (null: too small to search); absent: anywhere. */
  searchRegion?(image: { width: number; height: number }, vehicle: Detection): Box | null;
  /** Every plate candidate in a region, best first (evaluation, and plates outside motorcycles). */
  locateIn(image: RgbImage, region: Box, sw: Stopwatch): Promise<PlateLocation[]>;
}

/** What a reader made of one plate. */
export interface PlateTextRead {
  /** The model's text. */
  raw: string;
  /** Normalised (A-Z0-9, rows top to bottom). */
  text: string;
  confidence: number;
  /** Per character of `text`: best and second choice (readers without slot scores: the text itself). */
  chars: CharRead[];
  /** The plate's region (country) when the reader has a region head. */
  region: RegionGuess | null;
}

export interface PlateReader {
  /** One read per location, same order. */
  read(image: RgbImage, plates: readonly PlateLocation[], sw: Stopwatch): Promise<PlateTextRead[]>;
}

export function floatOutput(out: Record<string, Tensor>, name: string, what: string): Tensor & { data: Float32Array } {
  const t = out[name];
  if (!t || !(t.data instanceof Float32Array)) throw new AgentError('RSA_MODEL_SHAPE', `${what}: output ${name} is not a float32 tensor`);
  return t as Tensor & { data: Float32Array };
}

type DetectorLocatorConfig = Extract<ModelsConfig['plate_locator'], { type: 'detector' }>;
type PpocrDetConfig = Extract<ModelsConfig['plate_locator'], { type: 'ppocr_det' }>;

/** A plate detector model on the motorcycle box (slightly enlarged): its best plate box. */
export class DetectorPlateLocator implements PlateLocator {
  private readonly detector: ObjectDetector;
  private readonly hasPlateRole: boolean;

  constructor(session: ModelSession, config: DetectorLocatorConfig) {
    this.detector = new ObjectDetector(session, config.detector, 'plate.det');
    this.hasPlateRole = config.detector.classes.plate !== undefined;
  }

  /** Plate boxes anywhere in a region; used by the evaluation too. */
  async locateIn(image: RgbImage, region: Box, sw: Stopwatch): Promise<PlateLocation[]> {
    const found = await this.detector.detect(image, sw, region);
    return found
      .filter((d) => !this.hasPlateRole || d.role === 'plate')
      .sort((a, b) => b.score - a.score)
      .map((d) => ({ box: d.box, rows: [d.box], score: d.score }));
  }

  async locate(image: RgbImage, motorcycle: Detection, sw: Stopwatch): Promise<PlateLocation | null> {
    const region = clipBox(expandBox(motorcycle.box, 0.1), image.width, image.height);
    return (await this.locateIn(image, region, sw))[0] ?? null;
  }
}

/** PP-OCRv4 DB text detection: input RGB /255 with ImageNet mean/std, H and W multiples of 32. */
export class PpocrPlateLocator implements PlateLocator {
  constructor(
    private readonly session: ModelSession,
    private readonly config: PpocrDetConfig,
  ) {}

  /** Tensor size for a region: its long side becomes `size`, the short side rounds up to 32. */
  specFor(region: Box): TensorSpec {
    const w = Math.max(boxWidth(region), 1);
    const h = Math.max(boxHeight(region), 1);
    const s = this.config.size;
    const up32 = (v: number): number => Math.max(32, Math.min(s, Math.ceil(v / 32) * 32));
    return {
      width: w >= h ? s : up32((s * w) / h),
      height: h > w ? s : up32((s * h) / w),
      channelOrder: 'rgb',
      layout: 'nchw',
      dtype: 'float32',
      scale: 1 / 255,
      mean: [0.485, 0.456, 0.406],
      std: [0.229, 0.224, 0.225],
      resize: 'letterbox-top-left',
      padValue: 0,
      interpolation: 'bilinear',
    };
  }

  /** Plate candidates (best first) in any region; used by the evaluation on whole images too. */
  async locateIn(image: RgbImage, region: Box, sw: Stopwatch): Promise<PlateLocation[]> {
    sw.start();
    const spec = this.specFor(region);
    const input = allocTensor(spec, 1) as Float32Array;
    const t = fillTensor(image, region, spec, input, 0);
    const fit = planFit(region, spec);
    const feeds = { [this.session.inputNames[0]!]: new Tensor('float32', input, [1, 3, spec.height, spec.width]) };
    sw.lap('plate.det.pre');
    const out = await this.session.run(feeds);
    sw.lap('plate.det.model');
    const map = floatOutput(out, this.session.outputNames[0]!, 'PP-OCR det');
    const mapW = map.dims[3] ?? 0;
    if (map.dims.length !== 4 || mapW !== spec.width || map.dims[2] !== spec.height) {
      throw new AgentError('RSA_MODEL_SHAPE', `PP-OCR det: output [${map.dims.join(',')}] is not [1,1,${spec.height},${spec.width}]`);
    }
    const lines = textBoxes(map.data, mapW, {
      threshold: this.config.threshold,
      boxThreshold: 0.5,
      minPixels: 8,
      unclipRatio: 1.5,
      width: fit.drawWidth,
      height: fit.drawHeight,
    });
    const candidates = plateCandidates(lines, fit.drawWidth).map((c) => ({
      // The plate reader wants the plate with a margin around its text (its training crops
      // include the plate's border): 5% of the width and 10% of the height on each side.
      box: clipBox(expandBox(toImageBox(c.box, t), 0.05, 0.1), image.width, image.height),
      rows: c.rows.map((r) => clipBox(toImageBox(r, t), image.width, image.height)),
      score: c.score,
    }));
    sw.lap('plate.det.post');
    return candidates.filter((c) => boxWidth(c.box) >= 4 && boxHeight(c.box) >= 4);
  }

  async locate(image: RgbImage, motorcycle: Detection, sw: Stopwatch): Promise<PlateLocation | null> {
    const region = clipBox(plateSearchRegion(motorcycle.box), image.width, image.height);
    if (boxWidth(region) < 8 || boxHeight(region) < 8) return null;
    return (await this.locateIn(image, region, sw))[0] ?? null;
  }
}
