// Plate localisation in a motorcycle's region and plate OCR.
import { readFileSync } from 'node:fs';
import { Tensor } from 'onnxruntime-node';
import type { ModelsConfig } from '../config/schema.js';
import { AgentError } from '../shared/errors.js';
import type { Box, Detection } from '../shared/types.js';
import { boxHeight, boxWidth, clipBox, expandBox } from '../shared/box.js';
import { ObjectDetector } from './object-detector.js';
import { decodeCtc, decodeSlots, mergeRows, normalizePlateText, type TextRead } from './plate-text.js';
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
  /** Every plate candidate in a region, best first (evaluation, and plates outside motorcycles). */
  locateIn(image: RgbImage, region: Box, sw: Stopwatch): Promise<PlateLocation[]>;
}

export interface PlateReader {
  /** One read per location, same order; raw is the model's text, text normalised. */
  read(image: RgbImage, plates: readonly PlateLocation[], sw: Stopwatch): Promise<Array<{ raw: string; text: string; confidence: number }>>;
}

function floatOutput(out: Record<string, Tensor>, name: string, what: string): Tensor & { data: Float32Array } {
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

type CctConfig = Extract<ModelsConfig['plate_reader'], { type: 'cct' }>;

/** fast-plate-ocr CCT: uint8 NHWC RGB, the plate box stretched to 128×64; reads two rows as one. */
export class CctPlateReader implements PlateReader {
  private readonly spec: TensorSpec;

  constructor(
    private readonly session: ModelSession,
    private readonly config: CctConfig,
  ) {
    this.spec = {
      width: config.width,
      height: config.height,
      channelOrder: 'rgb',
      layout: 'nhwc',
      dtype: 'uint8',
      scale: 1,
      mean: [0, 0, 0],
      std: [1, 1, 1],
      resize: 'stretch',
      padValue: 0,
      interpolation: 'bilinear',
    };
  }

  /** Reads plate boxes (already located); batched in one run. */
  async readBoxes(image: RgbImage, boxes: readonly Box[], sw: Stopwatch): Promise<TextRead[]> {
    if (boxes.length === 0) return [];
    sw.start();
    const input = allocTensor(this.spec, boxes.length);
    boxes.forEach((b, i) => fillTensor(image, b, this.spec, input, i));
    const feeds = { [this.session.inputNames[0]!]: new Tensor('uint8', input, [boxes.length, this.spec.height, this.spec.width, 3]) };
    sw.lap('plate.ocr.pre');
    const out = await this.session.run(feeds);
    sw.lap('plate.ocr.model');
    const t = floatOutput(out, this.session.outputNames[0]!, 'CCT plate reader');
    let reads: TextRead[];
    try {
      reads = decodeSlots(t.data, t.dims, this.config.alphabet);
    } catch (err) {
      throw new AgentError('RSA_MODEL_SHAPE', `CCT plate reader: ${(err as Error).message}`, { cause: err });
    }
    sw.lap('plate.ocr.post');
    return reads;
  }

  async read(image: RgbImage, plates: readonly PlateLocation[], sw: Stopwatch): Promise<Array<{ raw: string; text: string; confidence: number }>> {
    const reads = await this.readBoxes(image, plates.map((p) => p.box), sw);
    return reads.map((r) => ({ raw: r.text, text: normalizePlateText(r.text), confidence: r.confidence }));
  }
}

/** PP-OCRv4 rec: one text line at a time (height 48, width by aspect, ≤ 320), CTC over the keys. */
export class PpocrPlateReader implements PlateReader {
  private readonly keys: string[];

  constructor(
    private readonly session: ModelSession,
    keysFile: string,
    /** PaddleOCR feeds OpenCV's BGR images to this model. */
    private readonly channelOrder: 'rgb' | 'bgr' = 'bgr',
  ) {
    this.keys = readFileSync(keysFile, 'utf8').split(/\r?\n/);
    if (this.keys[this.keys.length - 1] === '') this.keys.pop();
  }

  async readLine(image: RgbImage, box: Box, sw: Stopwatch): Promise<TextRead> {
    sw.start();
    const h = 48;
    const w = Math.max(16, Math.min(320, Math.ceil((h * Math.max(boxWidth(box), 1)) / Math.max(boxHeight(box), 1))));
    const spec: TensorSpec = {
      width: w,
      height: h,
      channelOrder: this.channelOrder,
      layout: 'nchw',
      dtype: 'float32',
      scale: 1 / 255,
      mean: [0.5, 0.5, 0.5],
      std: [0.5, 0.5, 0.5],
      resize: 'stretch',
      padValue: 0,
      interpolation: 'bilinear',
    };
    const input = allocTensor(spec, 1);
    fillTensor(image, box, spec, input, 0);
    const feeds = { [this.session.inputNames[0]!]: new Tensor('float32', input, [1, 3, h, w]) };
    sw.lap('plate.ocr.pre');
    const out = await this.session.run(feeds);
    sw.lap('plate.ocr.model');
    const t = floatOutput(out, this.session.outputNames[0]!, 'PP-OCR rec');
    const read = decodeCtc(t.data, t.dims, this.keys);
    sw.lap('plate.ocr.post');
    return read;
  }

  async read(image: RgbImage, plates: readonly PlateLocation[], sw: Stopwatch): Promise<Array<{ raw: string; text: string; confidence: number }>> {
    const out = [];
    for (const plate of plates) {
      const rows = [];
      for (const row of plate.rows) rows.push({ y: row.y1, ...(await this.readLine(image, row, sw)) });
      const raw = rows.map((r) => r.text).join(' ');
      const confidence = rows.length > 0 ? rows.reduce((s, r) => s + r.confidence, 0) / rows.length : 0;
      out.push({ raw, text: mergeRows(rows), confidence });
    }
    return out;
  }
}

