// The helmet rule on one motorcycle track.
//
// A frame counts when the motorcycle's box is in the zone and at least one of its riders (big
// enough to judge) is judged no_helmet. The track is a violation once `minNoHelmetFrames`
// frames counted. It is due when its track ended or `maxDelayMs` after the track began,
// whichever comes first, and it is emitted at most once.
import type { Box, MotorcycleObservation, PlateRead, Rider } from '../shared/types.js';
import { boxHeight, shorterSide } from '../shared/box.js';
import { plateWeight, type PlateSample } from './plate-consensus.js';
import { inZone, type Point } from './zone.js';

export interface HelmetRuleOptions {
  minNoHelmetFrames: number;
  maxDelayMs: number;
  /** Riders whose shorter side is below this are not judged. */
  minRiderPx: number;
  zone: readonly Point[] | null;
  /** Plate reads kept per track (the lightest dropped first); default 64. */
  maxPlateReads?: number;
}

export interface FrameRef {
  readonly seq: number;
  readonly at: number;
  readonly width: number;
  readonly height: number;
}

/** The frame chosen as evidence so far. */
export interface BestObservation {
  readonly frame: FrameRef;
  readonly observation: MotorcycleObservation;
  /** The rider judged no_helmet with the highest score in that frame. */
  readonly rider: Rider;
  /** noHelmetScore × rider size factor. */
  readonly quality: number;
}

export interface ObserveResult {
  /** The frame counted toward the violation. */
  readonly counted: boolean;
  /** This frame became the track's evidence frame. */
  readonly bestChanged: boolean;
  /** The plate read of this frame was kept among the track's reads. */
  readonly plateKept: boolean;
}

/** A rider this share of the frame's height or taller counts fully toward evidence quality. */
export const FULL_QUALITY_RIDER_HEIGHT = 0.2;

export function evidenceQuality(rider: Rider, frameHeight: number): number {
  const size = Math.min(1, boxHeight(rider.person.box) / (FULL_QUALITY_RIDER_HEIGHT * frameHeight));
  return rider.helmet.noHelmetScore * size;
}

export class HelmetTrackState {
  readonly plates: PlateSample[] = [];
  noHelmetFrames = 0;
  private scoreSum = 0;
  firstViolationAt: number | null = null;
  lastSeenAt: number;
  best: BestObservation | null = null;
  emitted = false;

  constructor(
    readonly trackId: number,
    readonly firstSeenAt: number,
    private readonly options: HelmetRuleOptions,
  ) {
    this.lastSeenAt = firstSeenAt;
  }

  /** Mean no-helmet score over the frames that counted (0 before any). */
  get detectionConfidence(): number {
    return this.noHelmetFrames > 0 ? this.scoreSum / this.noHelmetFrames : 0;
  }

  get isViolation(): boolean {
    return this.noHelmetFrames >= this.options.minNoHelmetFrames;
  }

  /** Due for emission at `at`; `ended` when its track has ended. */
  due(at: number, ended: boolean): boolean {
    return !this.emitted && this.isViolation && (ended || at - this.firstSeenAt >= this.options.maxDelayMs);
  }

  observe(observation: MotorcycleObservation, frame: FrameRef): ObserveResult {
    this.lastSeenAt = Math.max(this.lastSeenAt, frame.at);
    const plateKept = observation.plate !== null && this.keepPlate(observation.plate);
    if (this.emitted) return { counted: false, bestChanged: false, plateKept };
    let worst: Rider | null = null;
    if (inZone(observation.motorcycle.box, frame.width, frame.height, this.options.zone)) {
      for (const rider of observation.riders) {
        if (rider.helmet.verdict !== 'no_helmet' || shorterSide(rider.person.box) < this.options.minRiderPx) continue;
        if (worst === null || rider.helmet.noHelmetScore > worst.helmet.noHelmetScore) worst = rider;
      }
    }
    if (worst === null) return { counted: false, bestChanged: false, plateKept };
    this.noHelmetFrames += 1;
    this.scoreSum += worst.helmet.noHelmetScore;
    this.firstViolationAt ??= frame.at;
    const quality = evidenceQuality(worst, frame.height);
    const bestChanged = this.best === null || quality > this.best.quality;
    if (bestChanged) this.best = { frame, observation, rider: worst, quality };
    return { counted: true, bestChanged, plateKept };
  }

  private keepPlate(read: PlateRead): boolean {
    const sample: PlateSample = { text: read.text, confidence: read.confidence, box: read.box, region: read.region ?? null };
    const max = this.options.maxPlateReads ?? 64;
    if (this.plates.length < max) {
      this.plates.push(sample);
      return true;
    }
    const w = plateWeight(sample);
    let lightest = 0;
    for (let i = 1; i < this.plates.length; i++) if (plateWeight(this.plates[i]!) < plateWeight(this.plates[lightest]!)) lightest = i;
    if (plateWeight(this.plates[lightest]!) >= w) return false;
    this.plates[lightest] = sample;
    return true;
  }
}

/** Motorcycles too small to track reliably are left out before tracking. */
export function bigEnough(box: Box, minPx: number): boolean {
  return shorterSide(box) >= minPx;
}
