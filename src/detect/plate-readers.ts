// Plate readers: fast-plate-ocr CCT (v1 text only; v2 with per-slot scores and a region head)
// and PP-OCRv4 rec (one text line at a time) as the fallback.
import { readFileSync } from 'node:fs';
import { Tensor } from 'onnxruntime-node';
import type { ModelsConfig } from '../config/schema.js';
import { AgentError } from '../shared/errors.js';
import type { Box } from '../shared/types.js';
import { boxHeight, boxWidth } from '../shared/box.js';
import { charReads } from '../plate/formats.js';
import { CCT_V2_GLOBAL_REGIONS } from '../plate/regions.js';
import { floatOutput, type PlateLocation, type PlateReader, type PlateTextRead } from './plate.js';
import { decodeCtc, decodeRegions, decodeSlots, mergeRows, normalizePlateText, type TextRead } from './plate-text.js';
import { allocTensor, fillTensor, type RgbImage, type TensorSpec } from './preprocess.js';
import type { ModelSession } from './session.js';
import type { Stopwatch } from './timings.js';

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
  async readBoxes(image: RgbImage, boxes: readonly Box[], sw: Stopwatch): Promise<Array<TextRead & { region: PlateTextRead['region'] }>> {
    if (boxes.length === 0) return [];
    sw.start();
    const input = allocTensor(this.spec, boxes.length);
    boxes.forEach((b, i) => fillTensor(image, b, this.spec, input, i));
    const feeds = { [this.session.inputNames[0]!]: new Tensor('uint8', input, [boxes.length, this.spec.height, this.spec.width, 3]) };
    sw.lap('plate.ocr.pre');
    const out = await this.session.run(feeds);
    sw.lap('plate.ocr.model');
    const names = this.session.outputNames;
    const plateName = names.includes('plate') ? 'plate' : names[0]!;
    const t = floatOutput(out, plateName, 'CCT plate reader');
    try {
      const reads = decodeSlots(t.data, t.dims, this.config.alphabet);
      const r = names.includes('region') ? floatOutput(out, 'region', 'CCT plate reader') : null;
      const regions = r ? decodeRegions(r.data, r.dims, this.config.regions ?? CCT_V2_GLOBAL_REGIONS) : null;
      sw.lap('plate.ocr.post');
      return reads.map((read, i) => ({ ...read, region: regions?.[i] ?? null }));
    } catch (err) {
      throw new AgentError('RSA_MODEL_SHAPE', `CCT plate reader: ${(err as Error).message}`, { cause: err });
    }
  }

  async read(image: RgbImage, plates: readonly PlateLocation[], sw: Stopwatch): Promise<PlateTextRead[]> {
    const reads = await this.readBoxes(image, plates.map((p) => p.box), sw);
    return reads.map((r) => {
      const text = normalizePlateText(r.text);
      return { raw: r.text, text, confidence: r.confidence, chars: r.chars ?? charReads(text), region: r.region };
    });
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

  async read(image: RgbImage, plates: readonly PlateLocation[], sw: Stopwatch): Promise<PlateTextRead[]> {
    const out: PlateTextRead[] = [];
    for (const plate of plates) {
      const rows = [];
      for (const row of plate.rows) rows.push({ y: row.y1, ...(await this.readLine(image, row, sw)) });
      const raw = rows.map((r) => r.text).join(' ');
      const confidence = rows.length > 0 ? rows.reduce((s, r) => s + r.confidence, 0) / rows.length : 0;
      const text = mergeRows(rows);
      out.push({ raw, text, confidence, chars: charReads(text), region: null });
    }
    return out;
  }
}

