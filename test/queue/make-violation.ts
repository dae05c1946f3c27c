// Builds violations for queue and flush tests: UUIDv7 ids, optional evidence of a given size.
import { createHash, randomBytes } from 'node:crypto';
import { v7 } from 'uuid';
import type { Evidence, EvidenceKind, Violation } from '../../src/shared/types.js';

export interface MakeOptions {
  /** Bytes of each evidence image; 0 for none. */
  evidenceBytes?: number;
  kinds?: EvidenceKind[];
  plate?: string | null;
  location?: string;
  occurredAt?: number;
  cameraId?: string;
}

export function makeEvidence(kind: EvidenceKind, bytes: number): Evidence {
  const jpeg = randomBytes(bytes);
  return { kind, jpeg, sha256: createHash('sha256').update(jpeg).digest('hex'), width: 640, height: 360 };
}

export function makeViolation(options: MakeOptions = {}): Violation {
  const at = options.occurredAt ?? Date.UTC(2025, 0, 2, 3, 4, 5, 678);
  const bytes = options.evidenceBytes ?? 1000;
  return {
    id: v7(),
    type: 'no_helmet',
    cameraId: options.cameraId ?? 'cam-test',
    cameraLocation: options.location ?? 'Test junction',
    plateText: options.plate === undefined ? '59X312345' : options.plate,
    plateConfidence: options.plate === null ? null : 0.91,
    detectionConfidence: 0.87,
    occurredAt: at,
    firstSeenAt: at - 1500,
    lastSeenAt: at + 500,
    frameCount: 7,
    trackId: 42,
    models: { scene: 'yolox_nano.onnx@c789161e', helmet: 'helmet_cls.onnx@0123abcd' },
    agentVersion: '0.1.0-test',
    evidence: bytes > 0 ? (options.kinds ?? ['frame', 'rider', 'plate']).map((k) => makeEvidence(k, bytes)) : [],
  };
}

export function makeViolations(n: number, options: MakeOptions = {}): Violation[] {
  return Array.from({ length: n }, () => makeViolation(options));
}
