// Multi-row INSERT statements for a batch (pure: tested without a server).
//
// Idempotency: `ON DUPLICATE KEY UPDATE event_id = event_id` makes a re-delivered row a no-op
// (a batch retried after a lost COMMIT acknowledgement adds nothing). INSERT IGNORE would do
// the same for duplicates but also turn real data errors (too long, bad value) into warnings
// and silently truncate, which would hide the records that belong in the dead letters.
//
// Size: mysql2 sends a query as text, so a JPEG travels as a hex literal (2 bytes per byte).
// Statements are cut at `maxRows` rows or about `maxBytes` of SQL text, whichever comes first;
// the caller derives maxBytes from the server's max_allowed_packet.
import type { LeasedRecord } from '../queue/queue.js';

export interface Statement {
  sql: string;
  values: unknown[];
  rows: number;
  bytes: number;
}

export interface StatementLimits {
  maxRows: number;
  maxBytes: number;
}

export const VIOLATION_COLUMNS = [
  'event_id',
  'violation_type',
  'plate_number',
  'plate_confidence',
  'camera_location',
  'camera_id',
  'detection_confidence',
  'occurred_at',
  'first_seen_at',
  'last_seen_at',
  'frame_count',
  'track_id',
  'models',
  'agent_version',
  'evidence_count',
  'evidence_dropped',
] as const;

export const EVIDENCE_COLUMNS = ['event_id', 'kind', 'jpeg', 'sha256', 'width', 'height'] as const;

/** Epoch ms → 'YYYY-MM-DD HH:MM:SS.mmm' in UTC, the DATETIME(3) literal (no driver time zone games). */
export function mysqlUtc(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 23);
}

export function violationValues(r: LeasedRecord): unknown[] {
  const v = r.violation;
  return [
    v.id,
    v.type,
    v.plateText,
    v.plateConfidence,
    v.cameraLocation,
    v.cameraId,
    v.detectionConfidence,
    mysqlUtc(v.occurredAt),
    mysqlUtc(v.firstSeenAt),
    mysqlUtc(v.lastSeenAt),
    v.frameCount,
    v.trackId,
    JSON.stringify(v.models),
    v.agentVersion,
    v.evidence.length,
    r.evidenceDropped,
  ];
}

export function evidenceValues(r: LeasedRecord): unknown[][] {
  return r.violation.evidence.map((e) => [r.violation.id, e.kind, e.jpeg, e.sha256, e.width, e.height]);
}

/** Approximate bytes of a row once mysql2 has escaped it into SQL text. */
export function encodedBytes(values: readonly unknown[]): number {
  let n = 4;
  for (const v of values) {
    if (Buffer.isBuffer(v)) n += 2 * v.length + 4;
    else if (typeof v === 'string') n += Buffer.byteLength(v) * 1.1 + 4;
    else n += 24;
  }
  return Math.ceil(n);
}

function chunk(head: string, tail: string, rows: unknown[][], limits: StatementLimits): Statement[] {
  const out: Statement[] = [];
  let current: unknown[][] = [];
  let bytes = 0;
  const flush = (): void => {
    if (current.length === 0) return;
    out.push({ sql: `${head} VALUES ? ${tail}`, values: [current], rows: current.length, bytes });
    current = [];
    bytes = 0;
  };
  for (const row of rows) {
    const b = encodedBytes(row);
    if (current.length > 0 && (current.length >= limits.maxRows || bytes + b > limits.maxBytes)) flush();
    current.push(row);
    bytes += b;
  }
  flush();
  return out;
}

/** The statements that insert a batch: violations first, then their evidence. */
export function batchStatements(records: readonly LeasedRecord[], limits: StatementLimits): Statement[] {
  const violations = chunk(
    `INSERT INTO violations (${VIOLATION_COLUMNS.join(', ')})`,
    'ON DUPLICATE KEY UPDATE event_id = event_id',
    records.map(violationValues),
    limits,
  );
  const evidence = chunk(
    `INSERT INTO violation_evidence (${EVIDENCE_COLUMNS.join(', ')})`,
    'ON DUPLICATE KEY UPDATE event_id = event_id',
    records.flatMap(evidenceValues),
    limits,
  );
  return [...violations, ...evidence];
}

/** Statement byte budget from the server's max_allowed_packet: half of it, at most 8 MiB. */
export function statementBytesFor(maxAllowedPacket: number): number {
  return Math.max(64 * 1024, Math.min(8 * 1024 * 1024, Math.floor(maxAllowedPacket / 2)));
}
