// The scene detector run where it should look: the whole frame, motion-gated regions (live
// sources) or the whole image plus tiles (still images). Regions are cut from the frame at
// full detail; their detections are mapped back to frame pixels, those cut by a region's inner
// edge are dropped (another region or the whole pass sees the object whole), and the rest are
// merged across regions with NMS per class.
import type { MotionConfig, RegionsConfig } from '../config/schema.js';
import { RegionGate } from '../motion/gate.js';
import { MotionDetector } from '../motion/motion.js';
import { cutByRegion, tileRegions } from '../motion/regions.js';
import type { Box, Detection, Frame, SceneScan } from '../shared/types.js';
import { nmsPerClass } from './nms.js';
import type { ObjectDetector } from './object-detector.js';
import type { RgbImage } from './preprocess.js';
import type { Stopwatch } from './timings.js';

/** `whole`: every frame whole (as before regions); `regions`: motion-gated (live); `tiles`: whole + tiles (still images). */
export type ScanMode = 'whole' | 'regions' | 'tiles';

export interface SceneResult {
  detections: Detection[];
  scan: SceneScan;
}

const wholeBox = (image: RgbImage): Box => ({ x1: 0, y1: 0, x2: image.width, y2: image.height });

/** Runs the detector on each region and merges the detections (frame pixels). */
export async function detectInRegions(scene: ObjectDetector, image: RgbImage, regions: readonly Box[], nmsIou: number, sw: Stopwatch): Promise<Detection[]> {
  const all: Detection[] = [];
  for (const region of regions) {
    const isWhole = region.x1 <= 0 && region.y1 <= 0 && region.x2 >= image.width && region.y2 >= image.height;
    const found = await scene.detect(image, sw, isWhole ? undefined : region);
    for (const d of found) if (isWhole || !cutByRegion(d.box, region, image.width, image.height)) all.push(d);
  }
  if (regions.length < 2) return all;
  sw.start();
  const merged = nmsPerClass(all.map((d) => ({ ...d.box, score: d.score, classId: d.classId, d })), nmsIou).map((m) => m.d);
  sw.lap('scene.merge');
  return merged;
}

export class SceneScanner {
  private readonly motion: MotionDetector | null;
  private readonly gate: RegionGate | null;
  private readonly modelSide: number;

  constructor(
    private readonly scene: ObjectDetector,
    readonly mode: ScanMode,
    private readonly cfg: { motion: MotionConfig; regions: RegionsConfig; nmsIou: number },
  ) {
    this.modelSide = Math.max(scene.spec.width, scene.spec.height);
    this.motion = mode === 'regions' ? new MotionDetector(cfg.motion) : null;
    this.gate =
      mode === 'regions' ? new RegionGate({ ...cfg.regions, size: Math.round(this.modelSide * cfg.regions.size_scale) }) : null;
  }

  async detect(frame: Frame, sw: Stopwatch): Promise<SceneResult> {
    if (this.mode === 'tiles') return this.tiles(frame, sw);
    if (!this.motion || !this.gate) {
      const detections = await this.scene.detect(frame, sw);
      return { detections, scan: { mode: 'whole', regions: [wholeBox(frame)], motion: [], motionFraction: null } };
    }
    sw.start();
    const motion = this.motion.detect(frame);
    const plan = this.gate.plan(frame.seq, frame.width, frame.height, motion);
    sw.lap('motion');
    const detections = plan.mode === 'none' ? [] : await detectInRegions(this.scene, frame, plan.regions, this.cfg.nmsIou, sw);
    this.gate.observe(frame.seq, plan, detections);
    return { detections, scan: { mode: plan.mode, regions: plan.regions, motion: motion.boxes, motionFraction: motion.fraction } };
  }

  /** The whole image, then tiles at full detail: small objects found, big ones kept whole. */
  private async tiles(image: Frame, sw: Stopwatch): Promise<SceneResult> {
    const side = Math.round(this.modelSide * this.cfg.regions.tile_scale);
    const regions = [wholeBox(image), ...tileRegions(image.width, image.height, side)];
    const detections = await detectInRegions(this.scene, image, regions, this.cfg.nmsIou, sw);
    return { detections, scan: { mode: regions.length > 1 ? 'tiles' : 'whole', regions, motion: [], motionFraction: null } };
  }
}
