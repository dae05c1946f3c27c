// The violation stage: frames' analyses in, final violations out. Tracks motorcycles, applies
// the helmet rule per track, picks each track's plate and evidence frame, drops duplicates, and
// builds the record with its evidence.
//
// Invariants:
// - a track yields at most one violation, however long it lasts;
// - a violation is final when its track ends or `max_delay_s` after the track began;
// - memory is bounded by the open tracks: per track one owned copy of its best frame and at most
//   MAX_PLATE_CROPS small plate crops, released as soon as the track's violation is decided
//   (track-entries.ts holds them, track-decision.ts releases them);
// - calls are serialised: a push waits for the previous one, so the order of frames holds.
import type { Logger } from 'pino';
import type { Config, DedupConfig, RulesConfig } from '../config/schema.js';
import type { DuplicateReason } from '../dedup/plate-window.js';
import type { Clock } from '../shared/clock.js';
import type { FrameAnalysis, TrackView, Violation } from '../shared/types.js';
import { agentVersion } from '../shared/version.js';
import { createTracker, type Track } from '../track/tracker.js';
import { bigEnough, type FrameRef } from './helmet-rule.js';
import { createDecider } from './track-decision.js';
import { createTrackEntries } from './track-entries.js';
import { trackView } from './track-view.js';

export { MAX_PLATE_CROPS, PLATE_PAD } from './track-entries.js';

export interface ViolationStageOptions {
  rules: RulesConfig;
  dedup: DedupConfig;
  camera: { id: string; location: string };
  clock: Clock;
  logger: Logger;
  evidence: { jpegQuality: number };
  /** Model identities by role, copied into every record. */
  models?: Readonly<Record<string, string>>;
  /** Defaults to the package version. */
  agentVersion?: string;
}

export interface ViolationStageStats {
  readonly framesSeen: number;
  readonly tracksOpen: number;
  readonly tracksStarted: number;
  /** Tracks that met the rule (before dedup). */
  readonly candidates: number;
  readonly emitted: number;
  readonly duplicates: Readonly<Record<DuplicateReason, number>>;
  /** Candidates not recorded because their motorcycle did not move (rules.record_parked). */
  readonly parked: number;
  /** Evidence frames held in memory now (one per open track with a counted frame at most). */
  readonly framesHeld: number;
}

export interface ViolationStage {
  /** One analysed frame; resolves to the violations that became final with it. */
  push(analysis: FrameAnalysis): Promise<Violation[]>;
  /** Without a frame (a stalled camera): ends tracks timed out by the clock and emits what is due. */
  tick(): Promise<Violation[]>;
  /** Ends every open track (end of file, shutdown) and emits their violations. */
  flush(): Promise<Violation[]>;
  stats(): ViolationStageStats;
  /** The open tracks as they stand now, for the installer page's live view (cheap; call it rarely). */
  tracks(): TrackView[];
}

/** The stage with its options taken from one camera's config (the agent, replay and the bench). */
export function violationStageFor(
  config: Pick<Config, 'rules' | 'dedup' | 'camera' | 'queue'>,
  deps: { clock: Clock; logger: Logger; models: Readonly<Record<string, string>> },
): ViolationStage {
  return createViolationStage({
    rules: config.rules,
    dedup: config.dedup,
    camera: { id: config.camera.id, location: config.camera.location },
    clock: deps.clock,
    logger: deps.logger,
    evidence: { jpegQuality: config.queue.jpeg_quality },
    models: deps.models,
  });
}

export function createViolationStage(options: ViolationStageOptions): ViolationStage {
  const { rules, logger } = options;
  const log = logger.child({ stage: 'violations' });
  const tracker = createTracker({ iouMatch: rules.iou_match, timeoutMs: rules.track_timeout_s * 1000 });
  const decider = createDecider({
    minPlateConfidence: rules.min_plate_confidence,
    recordParked: rules.record_parked,
    dedup: options.dedup,
    camera: options.camera,
    clock: options.clock,
    log,
    jpegQuality: options.evidence.jpegQuality,
    models: options.models ?? {},
    agentVersion: options.agentVersion ?? agentVersion(),
  });
  const entries = createTrackEntries({
    minNoHelmetFrames: rules.min_no_helmet_frames,
    maxDelayMs: rules.max_delay_s * 1000,
    minRiderPx: rules.min_rider_px,
    zone: rules.zone,
  });
  const serial = serialiser();
  let framesSeen = 0;

  function observe(analysis: FrameAnalysis): Track[] {
    const f = analysis.frame;
    const ref: FrameRef = { seq: f.seq, at: f.capturedAt, width: f.width, height: f.height };
    const observations = analysis.motorcycles.filter((m) => bigEnough(m.motorcycle.box, rules.min_motorcycle_px));
    const { assigned, ended } = tracker.update(observations, ref.at, ref.seq);
    entries.observe(assigned, f, ref);
    return [...ended];
  }

  /** Ended tracks first, then open tracks past their maximum delay; each in track-id order. */
  async function settle(ended: readonly Track[], at: number): Promise<Violation[]> {
    const out: Violation[] = [];
    for (const e of entries.takeDue(ended, at)) {
      const v = await decider.decide(e);
      if (v) out.push(v);
    }
    return out;
  }

  return {
    push(analysis) {
      return serial(async () => {
        framesSeen += 1;
        const ended = observe(analysis);
        return settle(ended, analysis.frame.capturedAt);
      });
    },
    tick() {
      return serial(async () => {
        const at = options.clock.now();
        return settle(tracker.expire(at), at);
      });
    },
    flush() {
      return serial(async () => settle(tracker.closeAll(), options.clock.now()));
    },
    stats() {
      const d = decider.stats();
      return {
        framesSeen,
        tracksOpen: tracker.open().length,
        tracksStarted: entries.started(),
        candidates: d.candidates,
        emitted: d.emitted,
        duplicates: d.duplicates,
        parked: d.parked,
        framesHeld: entries.framesHeld(),
      };
    },
    tracks() {
      const plates = { minConfidence: rules.min_plate_confidence, maxDistance: options.dedup.max_plate_distance };
      return tracker.open().map((t) => trackView(t, entries.rule(t.id), plates));
    },
  };
}

/** Runs jobs one after another in call order; a failed job does not stop the next. */
function serialiser(): <T>(job: () => Promise<T>) => Promise<T> {
  let chain: Promise<unknown> = Promise.resolve();
  return <T>(job: () => Promise<T>): Promise<T> => {
    const run = chain.then(job, job);
    chain = run.catch(() => undefined);
    return run;
  };
}
