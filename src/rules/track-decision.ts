// A due track's decision, made once: its plate by consensus, the duplicate check, and, when the
// violation is kept, the record with its evidence pictures.
//
// Invariants:
// - the track is marked emitted when its decision starts, and its held evidence is released
//   before the pictures are made, kept or not: a duplicate never keeps a frame in memory;
// - a parked track (its motorcycle never moved, rules.record_parked false) is dropped like a
//   duplicate: counted, released, no pictures;
// - a kept violation has an evidence frame (a counted frame is always held as the best so far);
//   one without is a broken invariant and throws;
// - the record survives pictures that could not be made: it goes out without them, logged at ERROR.
import type { Logger } from 'pino';
import type { DedupConfig } from '../config/schema.js';
import { createDedup, type DuplicateReason } from '../dedup/plate-window.js';
import { makeEvidence } from '../evidence/evidence.js';
import type { RawImage } from '../evidence/raw.js';
import { buildViolation } from '../evidence/record.js';
import type { Clock } from '../shared/clock.js';
import type { Evidence, Violation } from '../shared/types.js';
import { travelDirection, type TravelDirection } from '../track/direction.js';
import type { BestObservation } from './helmet-rule.js';
import { choosePlate, type PlateChoice } from './plate-consensus.js';
import { release, type TrackEntry } from './track-entries.js';

export interface DeciderOptions {
  minPlateConfidence: number;
  /** rules.record_parked: false drops tracks whose motorcycle did not move (travel direction still). */
  recordParked: boolean;
  dedup: DedupConfig;
  camera: { id: string; location: string };
  clock: Clock;
  log: Logger;
  jpegQuality: number;
  models: Readonly<Record<string, string>>;
  agentVersion: string;
}

export interface DeciderStats {
  /** Tracks that met the rule (before dedup). */
  readonly candidates: number;
  readonly emitted: number;
  readonly duplicates: Readonly<Record<DuplicateReason, number>>;
  /** Candidates not recorded because their motorcycle did not move (rules.record_parked false). */
  readonly parked: number;
}

export interface Decider {
  /** The violation of a due track, or null when it is a duplicate or parked. */
  decide(e: TrackEntry): Promise<Violation | null>;
  stats(): DeciderStats;
}

/** What a kept violation is made from, taken from its entry before the entry is released. */
interface Taken {
  readonly entry: TrackEntry;
  readonly best: BestObservation;
  readonly frame: RawImage;
  readonly plate: PlateChoice | null;
  readonly plateCrop: RawImage | null;
  readonly travel: TravelDirection;
}

export function createDecider(options: DeciderOptions): Decider {
  const { log } = options;
  const dedup = createDedup({
    windowMs: options.dedup.window_s * 1000,
    maxPlateDistance: options.dedup.max_plate_distance,
    clock: options.clock,
    logger: log,
  });
  let candidates = 0;
  let emitted = 0;
  let parked = 0;

  return {
    async decide(e) {
      const rule = e.rule;
      rule.emitted = true;
      candidates += 1;
      const travel = travelDirection(e.track.firstBox, e.track.box);
      if (!options.recordParked && travel.direction === 'still') {
        parked += 1;
        release(e);
        log.info({ trackId: rule.trackId, frames: rule.noHelmetFrames }, 'not recorded: the motorcycle did not move while in view (parked; rules.record_parked)');
        return null;
      }
      const plate = choosePlate(
        rule.plates.filter((p) => p.confidence >= options.minPlateConfidence),
        options.dedup.max_plate_distance,
      );
      const decision = dedup.check({ type: 'no_helmet', plateText: plate?.text ?? null, trackId: rule.trackId });
      const best = rule.best;
      const frame = e.bestFrame;
      const plateCrop = plate ? (e.plateCrops.get(plate.text)?.crop ?? null) : null;
      release(e);
      if (!decision.keep) return null;
      if (!best || !frame) throw new Error(`track ${rule.trackId}: a violation without an evidence frame (invariant broken)`);
      const taken: Taken = { entry: e, best, frame, plate, plateCrop, travel };
      const violation = recordOf(taken, await evidenceOf(taken, options), options);
      emitted += 1;
      logViolation(log, taken, violation);
      return violation;
    },
    stats: () => ({ candidates, emitted, duplicates: dedup.stats().duplicates, parked }),
  };
}

async function evidenceOf(t: Taken, options: DeciderOptions): Promise<Evidence[]> {
  const trackId = t.entry.rule.trackId;
  const at = new Date(t.best.frame.at).toISOString();
  try {
    return await makeEvidence(
      {
        frame: t.frame,
        trackId,
        observation: t.best.observation,
        rider: t.best.rider,
        plateCrop: t.plateCrop,
        caption: `no_helmet  ${options.camera.id}  ${at}  track #${trackId}${t.plate ? `  plate ${t.plate.text}` : ''}`,
      },
      { quality: options.jpegQuality },
    );
  } catch (err) {
    // The record matters more than its pictures: keep it, say so loudly.
    options.log.error({ err, trackId, error_type: 'evidence' }, 'evidence images could not be made; violation kept without them');
    return [];
  }
}

function recordOf(t: Taken, evidence: Evidence[], options: DeciderOptions): Violation {
  const { rule } = t.entry;
  const plate = t.plate;
  return buildViolation({
    type: 'no_helmet',
    camera: options.camera,
    trackId: rule.trackId,
    plate: plate ? { text: plate.text, confidence: plate.confidence, region: plate.region } : null,
    travel: t.travel,
    detectionConfidence: rule.detectionConfidence,
    occurredAt: t.best.frame.at,
    firstSeenAt: rule.firstSeenAt,
    lastSeenAt: rule.lastSeenAt,
    frameCount: rule.noHelmetFrames,
    models: options.models,
    agentVersion: options.agentVersion,
    evidence,
  });
}

function logViolation(log: Logger, t: Taken, violation: Violation): void {
  const plate = t.plate;
  log.info(
    {
      violationId: violation.id,
      trackId: t.entry.rule.trackId,
      plate: violation.plateText,
      plateConfidence: violation.plateConfidence,
      plateVotes: plate ? `${plate.votes}/${plate.clusterSize}/${plate.reads}` : null,
      frames: t.entry.rule.noHelmetFrames,
      confidence: violation.detectionConfidence,
    },
    'violation',
  );
}
