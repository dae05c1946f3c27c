// Motion on a small grey copy of each frame: a running-average background, a threshold, and
// the bounding boxes of the changed areas, merged. Pure typed-array code, one instance per
// camera, one frame at a time.
//
// Invariants: the background has the grey copy's size and only learns from unmasked pixels;
// a global brightness shift (exposure, clouds) is taken out before comparing, and a change of
// most of the picture at once resets the background instead of reporting motion everywhere.
import type { MotionConfig } from '../config/schema.js';
import type { Box } from '../shared/types.js';
import { downscaleGrey, dilate3, rasterizeMask } from './grey.js';
import { changedComponents, mergeBoxes } from './components.js';

export interface MotionResult {
  /** Changed areas, in frame pixels, merged where they touch. */
  readonly boxes: readonly Box[];
  /** Share of the unmasked picture that changed, 0..1. */
  readonly fraction: number;
  /** True when the background was (re)started on this frame: first frame, size change, or lighting jump. */
  readonly reset: boolean;
}

export interface RgbFrame {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/** Share of the learning rate at pixels that changed in this frame. */
const CHANGED_RATE_SHARE = 0.25;

type Settings = Pick<MotionConfig, 'frame_height' | 'threshold' | 'contour_area' | 'learning_rate' | 'lighting_threshold' | 'mask'>;

export class MotionDetector {
  private w = 0;
  private h = 0;
  private frameW = 0;
  private frameH = 0;
  private grey = new Uint8Array(0);
  private background = new Float32Array(0);
  private changed = new Uint8Array(0);
  private dilated = new Uint8Array(0);
  private mask: Uint8Array = new Uint8Array(0);
  private unmasked = 0;

  constructor(private readonly s: Settings) {}

  detect(frame: RgbFrame): MotionResult {
    const fresh = frame.width !== this.frameW || frame.height !== this.frameH;
    if (fresh) this.resize(frame.width, frame.height);
    downscaleGrey(frame, this.w, this.h, this.grey);
    if (fresh) return this.restart();

    const { grey, background, changed, mask } = this;
    // Global brightness shift: compare against the background scaled to this frame's mean.
    let sumG = 0;
    let sumB = 0;
    for (let i = 0; i < grey.length; i++) {
      if (mask[i]) {
        sumG += grey[i]!;
        sumB += background[i]!;
      }
    }
    const gain = sumB > 0 ? sumG / sumB : 1;
    const threshold = this.s.threshold;
    let count = 0;
    for (let i = 0; i < grey.length; i++) {
      const on = mask[i] && Math.abs(grey[i]! - background[i]! * gain) > threshold ? 1 : 0;
      changed[i] = on;
      count += on;
    }
    const fraction = this.unmasked > 0 ? count / this.unmasked : 0;
    if (fraction >= this.s.lighting_threshold) return this.restart();

    // Changed pixels learn at a quarter of the rate: a passing rider leaves no ghost trail in the
    // background (the quiet-scene bench saw ~35 frames of motion behind each pass at the full
    // rate), while a parked object still fades in, four times slower.
    const alpha = this.s.learning_rate;
    const slow = alpha * CHANGED_RATE_SHARE;
    for (let i = 0; i < grey.length; i++) if (mask[i]) background[i] = background[i]! + (changed[i] ? slow : alpha) * (grey[i]! - background[i]!);

    if (count === 0) return { boxes: [], fraction: 0, reset: false };
    dilate3(changed, this.w, this.h, this.dilated);
    const small = changedComponents(this.dilated, this.w, this.h, this.s.contour_area, changed);
    const sx = this.frameW / this.w;
    const sy = this.frameH / this.h;
    const boxes = mergeBoxes(small).map((b) => ({ x1: b.x1 * sx, y1: b.y1 * sy, x2: b.x2 * sx, y2: b.y2 * sy }));
    return { boxes, fraction, reset: false };
  }

  private restart(): MotionResult {
    for (let i = 0; i < this.grey.length; i++) this.background[i] = this.grey[i]!;
    return { boxes: [], fraction: 0, reset: true };
  }

  private resize(width: number, height: number): void {
    this.frameW = width;
    this.frameH = height;
    this.h = Math.min(this.s.frame_height, height);
    this.w = Math.max(1, Math.min(width, Math.round((this.h * width) / height)));
    const n = this.w * this.h;
    this.grey = new Uint8Array(n);
    this.background = new Float32Array(n);
    this.changed = new Uint8Array(n);
    this.dilated = new Uint8Array(n);
    this.mask = rasterizeMask(this.s.mask, this.w, this.h);
    this.unmasked = this.mask.reduce((a, b) => a + b, 0);
  }
}
