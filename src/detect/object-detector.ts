// One detector model run on a region of a frame: letterbox → session → head decode → NMS →
// boxes mapped back to frame pixels, with roles.
import { Tensor } from 'onnxruntime-node';
import type { DetectorConfig } from '../config/schema.js';
import type { Box, Detection, Role } from '../shared/types.js';
import { clipBox } from '../shared/box.js';
import { DECODERS, type HeadOutput } from './heads.js';
import { tensorDims, tensorSpec, roleLookup } from './model-input.js';
import { nmsPerClass } from './nms.js';
import { allocTensor, fillTensor, toImageBox, type RgbImage, type TensorSpec } from './preprocess.js';
import type { ModelSession } from './session.js';
import type { Stopwatch } from './timings.js';
import { AgentError } from '../shared/errors.js';

export class ObjectDetector {
  readonly spec: TensorSpec;
  private readonly input: Float32Array | Uint8Array;
  private readonly role: (id: number) => Role | null;

  constructor(
    private readonly session: ModelSession,
    private readonly config: DetectorConfig,
    private readonly name: string,
  ) {
    this.spec = tensorSpec(config.input);
    this.input = allocTensor(this.spec, 1);
    this.role = roleLookup(config.classes);
  }

  /** Detections in `region` of `image` (the whole image by default), in image pixels. */
  async detect(image: RgbImage, sw: Stopwatch, region?: Box): Promise<Detection[]> {
    const whole = { x1: 0, y1: 0, x2: image.width, y2: image.height };
    const area = region ?? whole;
    sw.start();
    const t = fillTensor(image, area, this.spec, this.input, 0);
    const feeds = {
      [this.session.inputNames[0]!]: new Tensor(this.spec.dtype, this.input, tensorDims(this.spec, 1)),
    };
    sw.lap(`${this.name}.pre`);
    const out = await this.session.run(feeds);
    sw.lap(`${this.name}.model`);
    const tensor = out[this.session.outputNames[0]!];
    if (!tensor || !(tensor.data instanceof Float32Array)) {
      throw new AgentError('RSA_MODEL_SHAPE', `${this.name}: output ${this.session.outputNames[0]} is not a float32 tensor`);
    }
    const head: HeadOutput = { data: tensor.data, dims: tensor.dims };
    const raw = DECODERS[this.config.head](head, {
      inputWidth: this.spec.width,
      inputHeight: this.spec.height,
      scoreThreshold: this.config.score_threshold,
      numClasses: this.config.num_classes,
      extraAfterObj: this.config.extra_after_obj,
    });
    const kept = this.config.head === 'end2end' ? raw : nmsPerClass(raw, this.config.nms_iou);
    const detections: Detection[] = [];
    for (const r of kept) {
      const box = clipBox(toImageBox(r, t), image.width, image.height);
      if (box.x2 - box.x1 < 1 || box.y2 - box.y1 < 1) continue;
      detections.push({ box, score: r.score, classId: r.classId, role: this.role(r.classId) });
    }
    sw.lap(`${this.name}.post`);
    return detections;
  }
}
