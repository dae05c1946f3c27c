// The store-and-forward outbox on the box: one SQLite file per camera.
//
// Invariants
// - A violation and its evidence are committed in one transaction by `enqueue` before anything
//   else happens to them; `enqueue` returning means the record is on disk.
// - A record leaves the outbox only by `ack` (after the central COMMIT returned) or `reject`
//   (into `dead`, with the reason). Nothing else deletes a record's metadata.
// - The byte bound (queue.max_bytes, counted as metadata text + JPEG bytes) is kept by dropping
//   the evidence images of the oldest records first (outbox and dead letters alike, the new
//   record's own images last). Each record counts its dropped images (`evidence_dropped`) and
//   every drop is logged at WARN with counts. When even the metadata does not fit, `enqueue`
//   throws RSA_QUEUE_FULL and changes nothing.
// - One process (the camera's agent) leases from a file; the CLI may read it and move dead
//   letters back at the same time (WAL readers never block the writer; busy_timeout covers
//   the short write of retry-dead).
//
// Recovery (the file, the disk) is queue-file.ts.
//
// Durability (`PRAGMA synchronous`, measured with bench/sqlite-sync.ts on this box's disk, WAL):
//   single insert, metadata only        NORMAL 0.03 ms   FULL 0.23-0.45 ms  (x6-14)
//   single insert with 150 KB evidence  NORMAL 0.8-1.4 ms FULL 0.9-3.3 ms   (x1.1-2.4)
//   batch of 200 rows, one transaction  NORMAL 2.2-6.9 ms FULL 2.4-4.8 ms   (x0.4-1.9)
// FULL costs a WAL fsync per commit, i.e. ~1 ms more per violation; violations come a few per
// minute, so enqueue runs with FULL: the queue holds the only copy of a violation and a power
// cut must not take back a committed one. Everything else (ack, defer, reject, bookkeeping)
// runs with NORMAL: in WAL mode NORMAL never corrupts the file, it can only lose the last
// commits on power loss, and a lost ack means a re-delivery that the central UNIQUE event id
// makes harmless. The drain path (many acks per second) thus pays no fsync per batch.
import type { Violation } from '../shared/types.js';
import { deadRows, pendingRows, queueStats, type DeadRow, type PendingRow, type QueueStats } from './inspect.js';
import { decodeMeta, evidenceFromRow, type EvidenceRow } from './codec.js';
import { insertRecord, type InsertResult } from './insert-record.js';
import { QueueFile, type QueueOptions } from './queue-file.js';

export type { QueueOptions } from './queue-file.js';
/** A record handed to the flusher; it stays in the outbox until acked or rejected. */
export interface LeasedRecord {
  seq: number;
  id: string;
  attempts: number;
  bytes: number;
  evidenceDropped: number;
  /** Images withheld from delivery because they no longer match their sha256 (flush/verify-evidence.ts). */
  evidenceDamaged?: number;
  violation: Violation;
}

export interface EnqueueResult {
  /** Evidence images dropped (of older records, or of this one) to keep the byte bound. */
  imagesDropped: number;
}

interface OutboxRow {
  seq: number;
  id: string;
  created_at: number;
  meta: string;
  bytes: number;
  evidence_dropped: number;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
}

export type { DeadRow, PendingRow, QueueStats } from './inspect.js';

export class Queue extends QueueFile {
  /** Opens (or creates) the camera's queue file; a corrupt file is moved aside and replaced. */
  static open(options: QueueOptions): Queue {
    const q = new Queue(options);
    q.start();
    return q;
  }

  /**
   * Commits a violation with its evidence (synchronous = FULL). Throws RSA_QUEUE_FULL when
   * the disk is full or its metadata alone does not fit the byte bound; the caller holds it
   * (store-hold.ts). `evidenceDropped`: images it already lost in the hold, counted with it.
   */
  enqueue(v: Violation, options: { evidenceDropped?: number } = {}): EnqueueResult {
    const attempt = (): EnqueueResult => {
      this.db.pragma('synchronous = FULL');
      try {
        const result = this.enqueueTx(v, options.evidenceDropped ?? 0);
        if (result.dropped.images > 0)
          this.logger.warn(
            {
              images_dropped: result.dropped.images,
              records_affected: result.dropped.records,
              bytes_freed: result.dropped.bytes,
              max_bytes: this.maxBytes,
              own_images_dropped: result.ownDropped,
            },
            `queue over its byte bound: dropped ${result.dropped.images} evidence image(s) of the ${result.dropped.records} oldest record(s); their metadata is kept`,
          );
        return { imagesDropped: result.dropped.images };
      } finally {
        this.db.pragma('synchronous = NORMAL');
      }
    };
    return this.guard('append to', attempt, attempt);
  }

  /** `shed`: images the record lost before it got here (the hold's byte bound). */
  private enqueueTx(v: Violation, shed: number): InsertResult {
    const r = insertRecord(this.db, { file: this.file, storedBytes: this.bytes, maxBytes: this.maxBytes, now: this.clock.now() }, v, shed);
    this.bytes = r.storedBytes;
    return r;
  }


  /**
   * The oldest due records (next_attempt_at <= dueBy, default now), at most `limit` and about `maxBytes`
   * (always at least one), with their evidence. They stay in the outbox until ack/reject.
   */
  lease(limit: number, maxBytes = Number.POSITIVE_INFINITY, dueBy?: number): LeasedRecord[] {
    return this.guard(
      'read',
      () => {
        const rows = this.db
          .prepare('SELECT * FROM outbox WHERE next_attempt_at <= ? ORDER BY seq LIMIT ?')
          .all(dueBy ?? this.clock.now(), limit) as OutboxRow[];
        const evidenceOf = this.db.prepare('SELECT * FROM evidence WHERE violation_id = ?');
        const out: LeasedRecord[] = [];
        let total = 0;
        for (const row of rows) {
          if (out.length > 0 && total + row.bytes > maxBytes) break;
          total += row.bytes;
          const evidence = (evidenceOf.all(row.id) as EvidenceRow[]).map(evidenceFromRow);
          out.push({
            seq: row.seq,
            id: row.id,
            attempts: row.attempts,
            bytes: row.bytes,
            evidenceDropped: row.evidence_dropped,
            violation: { ...decodeMeta(row.meta), evidence },
          });
        }
        return out;
      },
      () => [],
    );
  }

  /** Deletes delivered records and their evidence. Call only after the central COMMIT returned. */
  ack(ids: readonly string[]): void {
    if (ids.length === 0) return;
    this.guard(
      'write to',
      () => {
        let freed = 0;
        const del = this.db.prepare('DELETE FROM outbox WHERE id = ? RETURNING bytes');
        const delEvidence = this.db.prepare('DELETE FROM evidence WHERE violation_id = ?');
        this.db.transaction(() => {
          for (const id of ids) {
            const row = del.get(id) as { bytes: number } | undefined;
            if (row) {
              freed += row.bytes;
              delEvidence.run(id);
            }
          }
        })();
        this.bytes -= freed;
        if (!this.options.readonlyInspect) this.room.afterAck(this.db);
      },
      () => undefined,
    );
  }

  /** Records a failed attempt: attempts + 1, the error, and when to try again. */
  defer(ids: readonly string[], error: string, nextAttemptAt: number): void {
    if (ids.length === 0) return;
    this.guard(
      'write to',
      () => {
        const upd = this.db.prepare('UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE id = ?');
        this.db.transaction(() => {
          for (const id of ids) upd.run(error.slice(0, 1000), nextAttemptAt, id);
        })();
      },
      () => undefined,
    );
  }

  /** Moves one record (with its evidence, which stays) to the dead-letter table with the reason. */
  reject(id: string, reason: string): void {
    this.guard(
      'write to',
      () => {
        this.db.transaction(() => {
          this.db
            .prepare(
              `INSERT INTO dead (seq, id, created_at, meta, bytes, evidence_dropped, attempts, reason, dead_at)
               SELECT seq, id, created_at, meta, bytes, evidence_dropped, attempts + 1, ?, ? FROM outbox WHERE id = ?`,
            )
            .run(reason.slice(0, 2000), this.clock.now(), id);
          this.db.prepare('DELETE FROM outbox WHERE id = ?').run(id);
        })();
      },
      () => undefined,
    );
  }

  /** Moves dead letters (all, or the given ids) back to the outbox, due now. Returns how many. */
  retryDead(ids?: readonly string[]): number {
    return this.guard(
      'write to',
      () => {
        const now = this.clock.now();
        const where = ids ? 'WHERE id = ?' : '';
        const move = this.db.prepare(
          `INSERT INTO outbox (seq, id, created_at, meta, bytes, evidence_dropped, attempts, next_attempt_at, last_error)
           SELECT seq, id, created_at, meta, bytes, evidence_dropped, 0, ${now}, 'retried from dead letters: ' || reason FROM dead ${where}`,
        );
        const del = this.db.prepare(`DELETE FROM dead ${where}`);
        let moved = 0;
        this.db.transaction(() => {
          if (ids) {
            for (const id of ids) {
              moved += move.run(id).changes;
              del.run(id);
            }
          } else {
            moved = move.run().changes;
            del.run();
          }
        })();
        return moved;
      },
      () => 0,
    );
  }

  /** Pending records (cheap: used for the heartbeat and /healthz). */
  depth(): number {
    return this.guard('read', () => (this.db.prepare('SELECT COUNT(*) AS n FROM outbox').get() as { n: number }).n, () => 0);
  }

  stats(): QueueStats {
    return this.guard('read', () => queueStats(this.db, this.file, this.bytes, this.maxBytes, this.clock.now()), () => this.stats());
  }

  list(limit = 50): PendingRow[] {
    return this.guard('read', () => pendingRows(this.db, limit), () => []);
  }

  dead(limit = 50): DeadRow[] {
    return this.guard('read', () => deadRows(this.db, limit), () => []);
  }

  /** Stored bytes as counted against queue.max_bytes. */
  storedBytes(): number {
    return this.bytes;
  }
}
