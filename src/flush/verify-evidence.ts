// Evidence is checked against the sha256 taken when its JPEG was made, right before delivery:
// bytes damaged on the box (a bad sector, a flipped bit, a hand-edited file) must never reach
// `violation_evidence` as if they were the picture that was taken.
//
// Policy: a record is still delivered (its metadata is good), without the images that fail;
// `violations.evidence_damaged` (central migration 2) says how many were withheld, each one is
// logged at ERROR with RSA_EVIDENCE_DAMAGED (expected and actual sha256), and counted. The
// queue keeps its copy until the ack, so `queue list` on the box can still be inspected.
import { createHash } from 'node:crypto';
import type { Logger } from '../shared/logger.js';
import type { LeasedRecord } from '../queue/queue.js';

export interface VerifiedBatch {
  records: LeasedRecord[];
  /** Images withheld in this batch. */
  damaged: number;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Pure but for the log lines: each record with only the images whose bytes match their sha256. */
export function verifyEvidence(batch: readonly LeasedRecord[], logger: Logger): VerifiedBatch {
  let damaged = 0;
  const records = batch.map((r) => {
    const good = r.violation.evidence.filter((e) => {
      const actual = sha256Hex(e.jpeg);
      if (actual === e.sha256) return true;
      damaged++;
      logger.error(
        { code: 'RSA_EVIDENCE_DAMAGED', stage: 'flush', violation_id: r.id, kind: e.kind, bytes: e.jpeg.length, expected_sha256: e.sha256, actual_sha256: actual },
        `evidence image ${e.kind} of violation ${r.id} no longer matches its sha256; delivered without it (violations.evidence_damaged)`,
      );
      return false;
    });
    if (good.length === r.violation.evidence.length) return r;
    const withheld = r.violation.evidence.length - good.length;
    return { ...r, evidenceDamaged: (r.evidenceDamaged ?? 0) + withheld, violation: { ...r.violation, evidence: good } };
  });
  return { records, damaged };
}
