// The violation stage: frames' analyses in, final violations out. Tracks motorcycles, applies
// the helmet rule per track, picks each track's plate and evidence frame, drops duplicates, and
// builds the record with its evidence.
//
// Invariants:
// - a track yields at most one violation, however long it lasts;
// - a violation is final when its track ends or `max_delay_s` after the track began;
// - memory is bounded by the open tracks: per track one owned copy of its best frame and at most
//   MAX_PLATE_CROPS small plate crops (held in track-entries.ts), released as soon as the
//   track's violation is decided;
// - calls are serialised: a push waits for the previous one, so the order of frames holds.
import type { Logger } from 'pino';
import type { Config, DedupConfig, RulesConfig } from '../config/schema.js';
import { createDedup, type DuplicateReason } from '../dedup/plate-window.js';
import { makeEvidence } from '../evidence/evidence.js';
import { buildViolation } from '../evidence/record.js';
import type { Clock } from '../shared/clock.js';
import type { Evidence, FrameAnalysis, TrackView, Violation } from '../shared/types.js';
import { agentVersion } from '../shared/version.js';
import { travelDirection } from '../track/direction.js';
import { createTracker, type Track } from '../track/tracker.js';
import { bigEnough, type FrameRef } from './helmet-rule.js';
import { choosePlate } from './plate-consensus.js';
import { createTrackEntries, release, type TrackEntry } from './track-entries.js';
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
  const version = options.agentVersion ?? agentVersion();
  const models = options.models ?? {};
  const tracker = createTracker({ iouMatch: rules.iou_match, timeoutMs: rules.track_timeout_s * 1000 });
  const dedup = createDedup({
    windowMs: options.dedup.window_s * 1000,
    maxPlateDistance: options.dedup.max_plate_distance,
    clock: options.clock,
    logger: log,
  });
  const entries = createTrackEntries({
    minNoHelmetFrames: rules.min_no_helmet_frames,
    maxDelayMs: rules.max_delay_s * 1000,
    minRiderPx: rules.min_rider_px,
    zone: rules.zone,
  });
  let framesSeen = 0;
  let candidates = 0;
  let emitted = 0;
  let chain: Promise<unknown> = Promise.resolve();

  function serial<T>(job: () => Promise<T>): Promise<T> {
    const run = chain.then(job, job);
    chain = run.catch(() => undefined);
    return run;
  }

  async function decide(e: TrackEntry): Promise<Violation | null> {
    const rule = e.rule;
    rule.emitted = true;
    candidates += 1;
    const plate = choosePlate(
      rule.plates.filter((p) => p.confidence >= rules.min_plate_confidence),
      options.dedup.max_plate_distance,
    );
    const decision = dedup.check({ type: 'no_helmet', plateText: plate?.text ?? null, trackId: rule.trackId });
    const best = rule.best;
    const frame = e.bestFrame;
    const plateCrop = plate ? (e.plateCrops.get(plate.text)?.crop ?? null) : null;
    release(e);
    if (!decision.keep) return null;
    if (!best || !frame) throw new Error(`track ${rule.trackId}: a violation without an evidence frame (invariant broken)`);
    const occurredAt = best.frame.at;
    let evidence: Evidence[] = [];
    try {
      evidence = await makeEvidence(
        {
          frame,
          trackId: rule.trackId,
          observation: best.observation,
          rider: best.rider,
          plateCrop,
          caption: `no_helmet  ${options.camera.id}  ${new Date(occurredAt).toISOString()}  track #${rule.trackId}${plate ? `  plate ${plate.text}` : ''}`,
        },
        { quality: options.evidence.jpegQuality },
      );
    } catch (err) {
      // The record matters more than its pictures: keep it, say so loudly.
      log.error({ err, trackId: rule.trackId, error_type: 'evidence' }, 'evidence images could not be made; violation kept without them');
    }
    const violation = buildViolation({
      type: 'no_helmet',
      camera: options.camera,
      trackId: rule.trackId,
      plate: plate ? { text: plate.text, confidence: plate.confidence, region: plate.region } : null,
      travel: travelDirection(e.track.firstBox, e.track.box),
      detectionConfidence: rule.detectionConfidence,
      occurredAt,
      firstSeenAt: rule.firstSeenAt,
      lastSeenAt: rule.lastSeenAt,
      frameCount: rule.noHelmetFrames,
      models,
      agentVersion: version,
      evidence,
    });
    emitted += 1;
    log.info(
      {
        violationId: violation.id,
        trackId: rule.trackId,
        plate: violation.plateText,
        plateConfidence: violation.plateConfidence,
        plateVotes: plate ? `${plate.votes}/${plate.clusterSize}/${plate.reads}` : null,
        frames: rule.noHelmetFrames,
        confidence: violation.detectionConfidence,
      },
      'violation',
    );
    return violation;
  }

  /** Ended tracks first, then open tracks past their maximum delay; each in track-id order. */
  async function settle(ended: readonly Track[], at: number): Promise<Violation[]> {
    const out: Violation[] = [];
    for (const e of entries.takeDue(ended, at)) {
      const v = await decide(e);
      if (v) out.push(v);
    }
    return out;
  }

  function observe(analysis: FrameAnalysis): Track[] {
    const f = analysis.frame;
    const ref: FrameRef = { seq: f.seq, at: f.capturedAt, width: f.width, height: f.height };
    const observations = analysis.motorcycles.filter((m) => bigEnough(m.motorcycle.box, rules.min_motorcycle_px));
    const { assigned, ended } = tracker.update(observations, ref.at, ref.seq);
    entries.observe(assigned, f, ref);
    return [...ended];
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
      const d = dedup.stats();
      return {
        framesSeen,
        tracksOpen: tracker.open().length,
        tracksStarted: entries.started(),
        candidates,
        emitted,
        duplicates: d.duplicates,
        framesHeld: entries.framesHeld(),
      };
    },
    tracks() {
      const plates = { minConfidence: rules.min_plate_confidence, maxDistance: options.dedup.max_plate_distance };
      return tracker.open().map((t) => trackView(t, entries.rule(t.id), plates));
    },
  };
}
