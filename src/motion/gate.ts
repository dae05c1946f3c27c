// The live region gate: decides per frame where the scene detector looks, from the frame's
// motion and the objects it found before. It keeps its own short memory of those objects
// (box, velocity, when last seen and last looked at), separate from the rules' tracker, so the
// detect stage needs nothing from later stages.
//
// Invariants: an object in a region the detector looked at and not found there twice is
// forgotten; a stopped object (no motion on it) is looked at again every `recheckFrames`;
// an object found in the same place at `stationary_after_checks` re-checks in a row is parked
// and left to the whole-frame passes (and to motion on it); every `wholeEvery` frames (counted in frame sequence numbers) the whole frame is scanned; with
// no motion and nothing due, nothing is scanned.
import type { RegionsConfig } from '../config/schema.js';
import { intersectionArea, iou } from '../shared/box.js';
import type { Box, Detection } from '../shared/types.js';
import type { MotionResult } from './motion.js';
import { planRegions, type RegionPlan } from './regions.js';

interface Remembered {
  box: Box;
  /** Pixels per frame of sequence. */
  vx: number;
  vy: number;
  seenSeq: number;
  checkedSeq: number;
  misses: number;
  /** Re-checks in a row (no motion on it) that found it where it was. */
  still: number;
  /** Included in the current plan as a re-check, not because motion touched it. */
  due: boolean;
  /** Included in the current plan at all (re-check or motion). */
  planned: boolean;
}

export interface GatePlan extends RegionPlan {
  /** Why this plan: `motion`, `tracked` (stopped objects re-checked), `periodic`, `coverage`, `idle`. */
  readonly reason: 'motion' | 'tracked' | 'periodic' | 'coverage' | 'idle';
}

export interface GateOptions
  extends Pick<RegionsConfig, 'max_regions' | 'whole_frame_motion' | 'whole_every_frames' | 'recheck_frames' | 'stationary_after_checks'> {
  /** Smallest region side, pixels. */
  readonly size: number;
}

const MATCH_IOU = 0.2;
/** IoU with its last box above which a re-checked object has not moved. */
const STILL_IOU = 0.7;
const MAX_MISSES = 2;
/** Share of its predicted box that must lie inside the picture for an object to be remembered. */
const MIN_VISIBLE = 0.3;

export class RegionGate {
  private objects: Remembered[] = [];
  private lastWholeSeq = -Infinity;

  constructor(private readonly o: GateOptions) {}

  /** Number of objects the gate remembers (for tests and metrics). */
  get remembered(): number {
    return this.objects.length;
  }

  plan(seq: number, width: number, height: number, motion: MotionResult): GatePlan {
    const whole = { mode: 'whole' as const, regions: [{ x1: 0, y1: 0, x2: width, y2: height }] };
    if (this.o.whole_every_frames > 0 && seq - this.lastWholeSeq >= this.o.whole_every_frames) return { ...whole, reason: 'periodic' };
    if (motion.fraction >= this.o.whole_frame_motion) return { ...whole, reason: 'coverage' };
    const boxes: Box[] = [...motion.boxes];
    let tracked = false;
    const stationary = this.o.stationary_after_checks;
    // An object predicted to have left the picture is forgotten.
    this.objects = this.objects.filter((ob) => {
      const p = predict(ob, seq);
      return intersectionArea(p, { x1: 0, y1: 0, x2: width, y2: height }) >= MIN_VISIBLE * area(p);
    });
    for (const ob of this.objects) {
      const p = predict(ob, seq);
      const moving = motion.boxes.some((m) => intersectionArea(m, p) > 0);
      ob.due = !moving && seq - ob.checkedSeq >= this.o.recheck_frames && (stationary === 0 || ob.still < stationary);
      ob.planned = moving || ob.due;
      if (ob.planned) boxes.push(p);
      tracked ||= ob.due;
    }
    const plan = planRegions(boxes, { width, height, size: this.o.size, maxRegions: this.o.max_regions });
    if (plan.mode === 'none') return { ...plan, reason: 'idle' };
    if (plan.mode === 'whole') return { ...plan, reason: 'coverage' };
    return { ...plan, reason: motion.boxes.length > 0 || !tracked ? 'motion' : 'tracked' };
  }

  /** What the detector found where the plan looked (persons and motorcycles; other roles ignored). */
  observe(seq: number, plan: RegionPlan, detections: readonly Detection[]): void {
    if (plan.mode === 'none') return;
    if (plan.mode === 'whole') this.lastWholeSeq = seq;
    const looked = (b: Box): boolean => plan.mode === 'whole' || plan.regions.some((r) => intersectionArea(r, b) > 0.5 * area(b));
    const fresh = detections.filter((d) => d.role === 'person' || d.role === 'motorcycle');
    const used = new Uint8Array(fresh.length);
    for (const ob of this.objects) {
      const p = predict(ob, seq);
      if (!looked(p) && !ob.planned) continue;
      let best = -1;
      let bestIou = MATCH_IOU;
      fresh.forEach((d, i) => {
        const v = used[i] ? 0 : iou(p, d.box);
        if (v > bestIou) {
          best = i;
          bestIou = v;
        }
      });
      ob.checkedSeq = seq;
      if (best < 0) {
        ob.misses++;
        continue;
      }
      used[best] = 1;
      const b = fresh[best]!.box;
      // Not moved: one more still re-check (a whole pass or motion on it neither adds nor resets).
      if (iou(b, ob.box) < STILL_IOU) ob.still = 0;
      else if (ob.due) ob.still++;
      const dt = Math.max(1, seq - ob.seenSeq);
      ob.vx = ((b.x1 + b.x2) / 2 - (ob.box.x1 + ob.box.x2) / 2) / dt;
      ob.vy = ((b.y1 + b.y2) / 2 - (ob.box.y1 + ob.box.y2) / 2) / dt;
      ob.box = b;
      ob.seenSeq = seq;
      ob.misses = 0;
    }
    this.objects = this.objects.filter((ob) => ob.misses < MAX_MISSES);
    fresh.forEach((d, i) => {
      if (!used[i]) this.objects.push({ box: d.box, vx: 0, vy: 0, seenSeq: seq, checkedSeq: seq, misses: 0, still: 0, due: false, planned: false });
    });
  }
}

function area(b: Box): number {
  return Math.max(1, (b.x2 - b.x1) * (b.y2 - b.y1));
}

/** The remembered box moved on by its velocity to frame `seq`. */
function predict(ob: Remembered, seq: number): Box {
  const dt = seq - ob.seenSeq;
  const dx = ob.vx * dt;
  const dy = ob.vy * dt;
  return { x1: ob.box.x1 + dx, y1: ob.box.y1 + dy, x2: ob.box.x2 + dx, y2: ob.box.y2 + dy };
}
