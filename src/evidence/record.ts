import { v7 as uuidv7 } from 'uuid';
import type { Evidence, Violation, ViolationType } from '../shared/types.js';

export interface ViolationFields {
  readonly type: ViolationType;
  readonly camera: { readonly id: string; readonly location: string };
  readonly trackId: number;
  readonly plate: { readonly text: string; readonly confidence: number; readonly region?: string | null } | null;
  readonly travel?: { readonly direction: Violation['travelDirection']; readonly headingDeg: number | null };
  readonly detectionConfidence: number;
  readonly occurredAt: number;
  readonly firstSeenAt: number;
  readonly lastSeenAt: number;
  readonly frameCount: number;
  readonly models: Readonly<Record<string, string>>;
  readonly agentVersion: string;
  readonly evidence: readonly Evidence[];
}

/**
 * The record committed to the queue. Its UUIDv7 is made here, on the box, from the violation's
 * own time so ids sort by when violations happened; it is the idempotency key centrally.
 */
export function buildViolation(f: ViolationFields, makeId: (msecs: number) => string = (msecs) => uuidv7({ msecs })): Violation {
  return {
    id: makeId(Math.round(f.occurredAt)),
    type: f.type,
    cameraId: f.camera.id,
    cameraLocation: f.camera.location,
    plateText: f.plate?.text ?? null,
    plateConfidence: f.plate ? round(f.plate.confidence, 4) : null,
    plateRegion: f.plate?.region ?? null,
    travelDirection: f.travel?.direction ?? null,
    headingDeg: f.travel?.headingDeg ?? null,
    detectionConfidence: round(f.detectionConfidence, 4),
    occurredAt: Math.round(f.occurredAt),
    firstSeenAt: Math.round(f.firstSeenAt),
    lastSeenAt: Math.round(f.lastSeenAt),
    frameCount: f.frameCount,
    trackId: f.trackId,
    models: { ...f.models },
    agentVersion: f.agentVersion,
    evidence: f.evidence,
  };
}

function round(v: number, digits: number): number {
  const k = 10 ** digits;
  return Math.round(v * k) / k;
}
