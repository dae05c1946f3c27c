// The helmet decision per rider: a head-crop classifier (batched over the frame's riders) or
// a helmet detector run on each rider's region.
import { Tensor } from 'onnxruntime-node';
import type { ModelsConfig } from '../config/schema.js';
import { AgentError } from '../shared/errors.js';
import type { Box, Detection, HelmetVerdict, HelmetVerdictKind } from '../shared/types.js';
import { boxHeight, clipBox, expandBox } from '../shared/box.js';
import { tensorDims, tensorSpec } from './model-input.js';
import { ObjectDetector } from './object-detector.js';
import { allocTensor, fillTensor, type RgbImage, type TensorSpec } from './preprocess.js';
import { headCrop, headCrops } from './riders.js';
import type { ModelSession } from './session.js';
import type { Stopwatch } from './timings.js';

export interface HelmetJudge {
  /**
   * Per person, its heads' verdicts, the person's own head first: the classifier gives one (two
   * where a wide box's edge holds a second head); the head detector one per head it gave that
   * person, none where the person's heads all went to another rider's box.
   */
  judge(image: RgbImage, persons: readonly Detection[], sw: Stopwatch): Promise<HelmetVerdict[][]>;
  /** P(no_helmet) of given head boxes (the evaluation's labelled head crops); judges that cannot score a bare box leave it out. */
  scoreHeads?(image: RgbImage, heads: readonly Box[], sw: Stopwatch): Promise<number[]>;
}

/** The classifier's verdict from P(no_helmet): flagged at `threshold`, cleared below `helmetThreshold`. */
export function verdictFromProbability(p: number, threshold: number, helmetThreshold: number): HelmetVerdictKind {
  if (p >= threshold) return 'no_helmet';
  if (p < helmetThreshold) return 'helmet';
  return 'unknown';
}

type ClassifierConfig = Extract<ModelsConfig['helmet'], { type: 'classifier' }>;
type DetectorHelmetConfig = Extract<ModelsConfig['helmet'], { type: 'detector' }>;

export class HelmetClassifier implements HelmetJudge {
  private readonly spec: TensorSpec;
  private buffer: Float32Array | Uint8Array;

  constructor(
    private readonly session: ModelSession,
    private readonly config: ClassifierConfig,
  ) {
    this.spec = tensorSpec(config.input);
    this.buffer = allocTensor(this.spec, 8);
  }

  async judge(image: RgbImage, persons: readonly Detection[], sw: Stopwatch): Promise<HelmetVerdict[][]> {
    const crops = persons.map((p) => headCrops(p.box, this.config.crop, this.config.wide_box_edges));
    const probs = await this.scoreHeads(image, crops.flat(), sw);
    const verdict = (headBox: Box, p: number): HelmetVerdict => ({
      verdict: verdictFromProbability(p, this.config.threshold, this.config.helmet_threshold),
      noHelmetScore: p,
      headBox: clipBox(headBox, image.width, image.height),
    });
    let next = 0;
    const out = crops.map((boxes) => {
      const ps = probs.slice(next, next + boxes.length);
      next += boxes.length;
      const own = verdict(boxes[0]!, ps[0]!);
      // The surest of the edge crops (the first on a tie), when there are any.
      let edge = 0;
      for (let i = 1; i < ps.length; i++) if (edge === 0 || ps[i]! > ps[edge]!) edge = i;
      const second = edge > 0 && own.verdict !== 'no_helmet' && ps[edge]! >= this.config.threshold;
      return second ? [own, verdict(boxes[edge]!, ps[edge]!)] : [own];
    });
    sw.lap('helmet.post');
    return out;
  }

  /** P(no_helmet) for each head region, in one batch. */
  async scoreHeads(image: RgbImage, heads: readonly Box[], sw: Stopwatch): Promise<number[]> {
    const n = heads.length;
    if (n === 0) return [];
    sw.start();
    const per = 3 * this.spec.width * this.spec.height;
    if (this.buffer.length < n * per) this.buffer = allocTensor(this.spec, n);
    heads.forEach((h, i) => fillTensor(image, h, this.spec, this.buffer, i));
    const data = this.buffer.subarray(0, n * per);
    const feeds = { [this.session.inputNames[0]!]: new Tensor(this.spec.dtype, data, tensorDims(this.spec, n)) };
    sw.lap('helmet.pre');
    const out = await this.session.run(feeds);
    sw.lap('helmet.model');
    const prob = out[this.session.outputNames[0]!];
    const k = prob?.dims[1] ?? 0;
    if (!prob || !(prob.data instanceof Float32Array) || prob.dims[0] !== n || k <= this.config.no_helmet_index) {
      throw new AgentError('RSA_MODEL_SHAPE', `helmet classifier: output [${prob?.dims.join(',')}] is not [${n},>${this.config.no_helmet_index}] probabilities`);
    }
    const probs = prob.data;
    return heads.map((_, i) => probs[i * k + this.config.no_helmet_index]!);
  }
}

/**
 * A helmet detector on each rider's region: the best helmet / no_helmet box whose centre is in
 * the upper part of the rider decides; none found is `unknown`.
 */
export class HelmetDetector implements HelmetJudge {
  private readonly detector: ObjectDetector;

  constructor(
    session: ModelSession,
    private readonly config: DetectorHelmetConfig,
  ) {
    this.detector = new ObjectDetector(session, config.detector, 'helmet');
  }

  async judge(image: RgbImage, persons: readonly Detection[], sw: Stopwatch): Promise<HelmetVerdict[][]> {
    const out: HelmetVerdict[][] = [];
    for (const person of persons) {
      const region = clipBox(expandBox(person.box, 0.1), image.width, image.height);
      const found = await this.detector.detect(image, sw, region);
      sw.start();
      const upper = person.box.y1 + 0.5 * boxHeight(person.box);
      const heads = found.filter((d) => (d.role === 'helmet' || d.role === 'no_helmet') && (d.box.y1 + d.box.y2) / 2 <= upper);
      const best = heads.sort((a, b) => b.score - a.score)[0];
      const noHelmet = heads.filter((d) => d.role === 'no_helmet').reduce((m, d) => Math.max(m, d.score), 0);
      let verdict: HelmetVerdictKind = 'unknown';
      if (best?.role === 'no_helmet' && best.score >= this.config.threshold) verdict = 'no_helmet';
      else if (best?.role === 'helmet') verdict = 'helmet';
      out.push([{ verdict, noHelmetScore: noHelmet, headBox: best?.box ?? clipBox(headCrop(person.box), image.width, image.height) }]);
      sw.lap('helmet.post');
    }
    return out;
  }
}
