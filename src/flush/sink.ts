import type { LeasedRecord } from '../queue/queue.js';
import type { CentralDb, Session } from './central-db.js';
import { batchStatements, LATER_COLUMNS, mysqlUtc, statementBytesFor } from './statements.js';

/**
 * Where batches go. `deliver` resolves only once the whole batch is committed centrally; it
 * throws the driver's error otherwise (the loop classifies it).
 */
export interface Sink {
  deliver(records: readonly LeasedRecord[], signal: AbortSignal): Promise<void>;
  heartbeat(row: HeartbeatRow, signal: AbortSignal): Promise<void>;
}

/** The `cameras` row. */
export interface HeartbeatRow {
  cameraId: string;
  cameraLocation: string;
  lastSeenAt: number;
  startedAt: number;
  frames: number;
  violations: number;
  queueDepth: number;
  deadLetters: number;
  provider: string;
  agentVersion: string;
}

export interface MysqlSinkOptions {
  /** Rows per INSERT statement. */
  rowsPerStatement?: number;
  /** Told once when the central schema lacks columns of later migrations (LATER_COLUMNS), with their names. */
  onOldSchema?: (missing: string[]) => void;
}

/** How long a "schema lacks evidence_damaged" answer is trusted before asking again. */
const SCHEMA_RECHECK_MS = 5 * 60_000;

export class MysqlSink implements Sink {
  private readonly db: CentralDb;
  private readonly rowsPerStatement: number;
  private readonly options: MysqlSinkOptions;
  /** Which of LATER_COLUMNS violations lacks, and when that was read. */
  private laterColumns: { missing: Set<string>; at: number } | null = null;

  constructor(db: CentralDb, options: MysqlSinkOptions = {}) {
    this.db = db;
    this.options = options;
    this.rowsPerStatement = options.rowsPerStatement ?? 500;
  }

  /**
   * A central schema not yet migrated to the newest version still gets every record (without
   * the columns it lacks: evidence_damaged, plate_region, travel_direction, heading_deg; damaged
   * images are withheld all the same) until `db migrate` runs.
   */
  private async missingColumns(s: Session): Promise<Set<string>> {
    const known = this.laterColumns;
    if (known && (known.missing.size === 0 || Date.now() - known.at < SCHEMA_RECHECK_MS)) return known.missing;
    const rows = await s.query<Array<{ c: string }>>(
      "SELECT COLUMN_NAME AS c FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'violations' AND COLUMN_NAME IN (?)",
      [LATER_COLUMNS],
    );
    const present = new Set(rows.map((r) => r.c));
    const missing = new Set(LATER_COLUMNS.filter((c) => !present.has(c)));
    if (missing.size > 0 && known === null) this.options.onOldSchema?.([...missing]);
    this.laterColumns = { missing, at: Date.now() };
    return missing;
  }

  /**
   * Idempotent: inside the transaction, the batch's event ids already in `violations` are
   * looked up and those records skipped (a violation and its evidence are only ever committed
   * together, so a present violation means present evidence). A batch retried after a lost
   * COMMIT acknowledgement thus inserts nothing. This needs only SELECT and INSERT, unlike
   * `ON DUPLICATE KEY UPDATE`, for which MariaDB wants UPDATE on every inserted column; and
   * unlike INSERT IGNORE it keeps data errors errors. The UNIQUE key on event_id stays the
   * backstop (one flusher per camera queue, so no two writers race on an id).
   */
  deliver(records: readonly LeasedRecord[], signal: AbortSignal): Promise<void> {
    return this.db.transaction(async (s) => {
      const present = await s.query<Array<{ event_id: string }>>('SELECT event_id FROM violations WHERE event_id IN (?)', [
        records.map((r) => r.id),
      ]);
      const skip = new Set(present.map((p) => p.event_id));
      const fresh = skip.size === 0 ? records : records.filter((r) => !skip.has(r.id));
      const limits = {
        maxRows: this.rowsPerStatement,
        maxBytes: statementBytesFor(s.maxAllowedPacket),
        missingColumns: await this.missingColumns(s),
      };
      for (const st of batchStatements(fresh, limits)) {
        // A lone row over the packet limit would make the server drop the connection, which
        // reads as transient and would be retried forever: call it what it is, up front.
        if (st.bytes > s.maxAllowedPacket - 4096)
          throw Object.assign(
            new Error(`a record of about ${st.bytes} bytes exceeds the server's max_allowed_packet (${s.maxAllowedPacket})`),
            { code: 'ER_NET_PACKET_TOO_LARGE' },
          );
        if (st.prepared) await s.execute(st.sql, st.values);
        else await s.query(st.sql, st.values);
      }
    }, signal);
  }

  heartbeat(h: HeartbeatRow, signal: AbortSignal): Promise<void> {
    return this.db.withSession(async (s) => {
      await s.query(
        `INSERT INTO cameras (camera_id, camera_location, last_seen_at, started_at, frames, violations, queue_depth, dead_letters, provider, agent_version)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON DUPLICATE KEY UPDATE camera_location = VALUES(camera_location), last_seen_at = VALUES(last_seen_at),
           started_at = VALUES(started_at), frames = VALUES(frames), violations = VALUES(violations),
           queue_depth = VALUES(queue_depth), dead_letters = VALUES(dead_letters), provider = VALUES(provider),
           agent_version = VALUES(agent_version)`,
        [
          h.cameraId,
          h.cameraLocation,
          mysqlUtc(h.lastSeenAt),
          mysqlUtc(h.startedAt),
          h.frames,
          h.violations,
          h.queueDepth,
          h.deadLetters,
          h.provider,
          h.agentVersion,
        ],
      );
    }, signal);
  }
}
