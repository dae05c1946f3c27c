// Multi-row INSERT statements for a batch (pure: tested without a server).
//
// Idempotency is the sink's job (sink.ts: the event ids already present are skipped inside the
// same transaction); these are plain INSERTs, so a duplicate event id can never be inserted
// twice (UNIQUE key) and a value that does not fit is an error, never a silent truncation.
//
// Protocols: violation rows are small and go as text multi-row INSERTs (one round trip for a
// batch). Evidence goes as prepared statements (binary protocol): as text, mysql2 escapes a
// JPEG into a hex literal, which measured 163 violations/s for 160 KB of evidence each against
// 745/s in binary (bench/drain.ts). To bound the server's prepared statements (a fleet shares
// max_prepared_stmt_count) evidence statements come in three shapes only: 16, 4 or 1 rows.
//
// Size: statements are cut at `maxRows` rows or about `maxBytes` of packet, whichever comes
// first; the caller derives maxBytes from the server's max_allowed_packet.
import type { LeasedRecord } from '../queue/queue.js';
import { CENTRAL_MIGRATIONS } from './central-migrations.js';

export interface Statement {
  sql: string;
  values: unknown[];
  rows: number;
  bytes: number;
  /** Send as a prepared statement (binary protocol) rather than as text. */
  prepared: boolean;
}

export interface StatementLimits {
  maxRows: number;
  maxBytes: number;
  /**
   * Columns of LATER_COLUMNS the central schema lacks (it predates their migration): left out,
   * so an agent upgraded before the office runs `db migrate` still delivers every record.
   */
  missingColumns?: ReadonlySet<string>;
}

/** violations columns added by the migrations after the first (2: evidence_damaged; 3: plate region, direction). */
export const LATER_COLUMNS: readonly string[] = CENTRAL_MIGRATIONS.slice(1).flatMap((m) =>
  (m.addColumns ?? []).filter((c) => c.table === 'violations').map((c) => c.column),
);

export const VIOLATION_COLUMNS = [
  'event_id',
  'violation_type',
  'plate_number',
  'plate_confidence',
  'plate_region',
  'camera_location',
  'camera_id',
  'detection_confidence',
  'occurred_at',
  'first_seen_at',
  'last_seen_at',
  'frame_count',
  'track_id',
  'travel_direction',
  'heading_deg',
  'models',
  'agent_version',
  'evidence_count',
  'evidence_dropped',
  'evidence_damaged',
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
    v.plateRegion ?? null,
    v.cameraLocation,
    v.cameraId,
    v.detectionConfidence,
    mysqlUtc(v.occurredAt),
    mysqlUtc(v.firstSeenAt),
    mysqlUtc(v.lastSeenAt),
    v.frameCount,
    v.trackId,
    v.travelDirection ?? null,
    v.headingDeg ?? null,
    JSON.stringify(v.models),
    v.agentVersion,
    v.evidence.length,
    r.evidenceDropped,
    r.evidenceDamaged ?? 0,
  ];
}

export function evidenceValues(r: LeasedRecord): unknown[][] {
  return r.violation.evidence.map((e) => [r.violation.id, e.kind, e.jpeg, e.sha256, e.width, e.height]);
}

/** Approximate bytes of a row on the wire: as SQL text (a Buffer as hex) or as binary parameters. */
export function encodedBytes(values: readonly unknown[], binary = false): number {
  let n = 4;
  for (const v of values) {
    if (Buffer.isBuffer(v)) n += (binary ? 1 : 2) * v.length + 9;
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
    out.push({ sql: `${head} VALUES ?${tail ? ` ${tail}` : ''}`, values: [current], rows: current.length, bytes, prepared: false });
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

export const EVIDENCE_SHAPES = [16, 4, 1] as const;

/** Evidence rows as prepared statements of 16, 4 or 1 rows, each within `maxBytes`. */
function evidenceStatements(rows: unknown[][], maxBytes: number): Statement[] {
  const out: Statement[] = [];
  const head = `INSERT INTO violation_evidence (${EVIDENCE_COLUMNS.join(', ')}) VALUES `;
  const tuple = `(${EVIDENCE_COLUMNS.map(() => '?').join(', ')})`;
  let i = 0;
  while (i < rows.length) {
    for (const shape of EVIDENCE_SHAPES) {
      if (i + shape > rows.length) continue;
      const group = rows.slice(i, i + shape);
      const bytes = group.reduce((n, r) => n + encodedBytes(r, true), 0);
      if (shape > 1 && bytes > maxBytes) continue;
      out.push({
        sql: `${head}${Array<string>(shape).fill(tuple).join(', ')}`,
        values: group.flat(),
        rows: shape,
        bytes,
        prepared: true,
      });
      i += shape;
      break;
    }
  }
  return out;
}

/** The statements that insert a batch: violations first, then their evidence. */
export function batchStatements(records: readonly LeasedRecord[], limits: StatementLimits): Statement[] {
  const missing = limits.missingColumns ?? new Set<string>();
  const keep = VIOLATION_COLUMNS.map((c) => !missing.has(c));
  const columns = VIOLATION_COLUMNS.filter((_, i) => keep[i]);
  const violations = chunk(
    `INSERT INTO violations (${columns.join(', ')})`,
    '',
    records.map((r) => (missing.size === 0 ? violationValues(r) : violationValues(r).filter((_, i) => keep[i]))),
    limits,
  );
  return [...violations, ...evidenceStatements(records.flatMap(evidenceValues), limits.maxBytes)];
}

/** Statement byte budget from the server's max_allowed_packet: half of it, at most 8 MiB. */
export function statementBytesFor(maxAllowedPacket: number): number {
  return Math.max(64 * 1024, Math.min(8 * 1024 * 1024, Math.floor(maxAllowedPacket / 2)));
}
