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
// Recovery
// - A file SQLite calls corrupt or not a database (SQLITE_CORRUPT*, SQLITE_NOTADB), at open or
//   at any later operation, is renamed `<file>.corrupt-<UTC timestamp>` (with its -wal) and
//   kept; a new file is started and every record that can still be read is salvaged into it
//   (salvage.ts: metadata first, then the images that pass their sha256), and an ERROR with
//   RSA_QUEUE_CORRUPT gives the counts. An enqueue that hit the damage is retried once in the
//   new file, so the violation in hand is not lost.
// - A full disk (SQLITE_FULL): the reserve (acks only) and a WAL checkpoint make what room they
//   can (disk-room.ts) and the operation is tried once more; then it fails with RSA_QUEUE_FULL.
//   SQLite rolls the transaction back, so the file stays consistent; a violation `enqueue`
//   refused waits in the hold (store-hold.ts) and is stored once acks or the operator free space.
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
import { existsSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { systemClock, type Clock } from '../shared/clock.js';
import { AgentError, describeError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import type { Violation } from '../shared/types.js';
import { dropOldestEvidence } from './byte-bound.js';
import { setAside } from './corrupt.js';
import { DiskRoom } from './disk-room.js';
import { deadRows, pendingRows, queueStats, type DeadRow, type PendingRow, type QueueStats } from './inspect.js';
import { decodeMeta, encodeMeta, evidenceFromRow, recordBytes, type EvidenceRow } from './codec.js';
import { salvageInto, type SalvageCounts } from './salvage.js';
import { checkStopMark, readStopMark, writeStopMark } from './stop-mark.js';
import { migrate } from './schema.js';
import { isCorrupt, isFull } from './sqlite-errors.js';

export interface QueueOptions {
  file: string;
  /** queue.max_bytes */
  maxBytes: number;
  logger: Logger;
  clock?: Clock;
  /** The agent's own queue: notice a file that vanished or shrank while stopped (stop-mark.ts). */
  stopMark?: boolean;
  /** Caps the file at this many pages (tests use it to simulate a full disk). */
  maxPageCount?: number;
  /** Open read-mostly for the CLI: no corruption recovery (the agent owns the file). */
  readonlyInspect?: boolean;
  /**
   * Bytes kept in `<file>.reserve` and given up when the disk is full, so that acks (deletes
   * need WAL space) still work and free room. Default 4 MiB; 0 for none.
   */
  reserveBytes?: number;
}

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

function storedBytes(db: Database.Database): number {
  return (db.prepare('SELECT (SELECT COALESCE(SUM(bytes), 0) FROM outbox) + (SELECT COALESCE(SUM(bytes), 0) FROM dead) AS b').get() as { b: number }).b;
}

export type { DeadRow, PendingRow, QueueStats } from './inspect.js';

export class Queue {
  readonly file: string;
  private db!: Database.Database;
  private bytes = 0;
  private readonly maxBytes: number;
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly options: QueueOptions;
  private readonly room: DiskRoom;

  private constructor(options: QueueOptions) {
    this.options = options;
    this.room = new DiskRoom(options.file, options.reserveBytes ?? 4 * 1024 * 1024, options.logger);
    this.file = options.file;
    this.maxBytes = options.maxBytes;
    this.logger = options.logger;
    this.clock = options.clock ?? systemClock;
  }

  /** Opens (or creates) the camera's queue file; a corrupt file is moved aside and replaced. */
  static open(options: QueueOptions): Queue {
    const q = new Queue(options);
    const mark = options.stopMark ? readStopMark(options.file, options.logger) : null;
    try {
      q.openFile();
    } catch (err) {
      if (!isCorrupt(err) || options.readonlyInspect) throw q.ioError('open', err);
      q.replaceCorrupt(err);
    }
    if (!options.readonlyInspect) q.room.keepReserve();
    if (options.stopMark) checkStopMark(options.file, mark, q.records(), options.logger);
    return q;
  }

  private openFile(): void {
    const db = new Database(this.file, { timeout: 5000 });
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      // A short WAL keeps what a checkpoint needs on a full disk inside the reserve (disk-room.ts).
      db.pragma('wal_autocheckpoint = 256');
      if (this.options.maxPageCount) db.pragma(`max_page_count = ${this.options.maxPageCount}`);
      migrate(db);
      this.bytes = storedBytes(db);
    } catch (err) {
      db.close();
      throw err;
    }
    this.db = db;
  }

  private recount(): void {
    this.bytes = storedBytes(this.db);
  }

  private ioError(what: string, err: unknown): AgentError {
    if (isFull(err)) return new AgentError('RSA_QUEUE_FULL', `queue ${this.file}: disk full (${describeError(err)})`, { cause: err });
    return new AgentError('RSA_QUEUE_IO', `queue ${this.file}: cannot ${what} file: ${describeError(err)}`, { cause: err });
  }

  /** Moves a corrupt file aside, starts a new one and salvages what can be read into it. */
  private replaceCorrupt(cause: unknown): void {
    try {
      this.db?.close();
    } catch {
      // closing a damaged handle may fail; the rename is what matters
    }
    const aside = setAside(this.file, this.clock.now(), cause, this.logger);
    try {
      this.openFile();
    } catch (again) {
      throw this.ioError('open a new', again);
    }
    let c: SalvageCounts;
    try {
      c = this.salvage(aside);
    } catch (err) {
      this.logger.error(
        { code: 'RSA_QUEUE_CORRUPT', damaged_file: aside, err: describeError(err) },
        `nothing could be salvaged from the damaged queue file: ${describeError(err)}; it stays at ${aside}`,
      );
      return;
    }
    this.logger.error(
      {
        code: 'RSA_QUEUE_CORRUPT',
        damaged_file: aside,
        salvaged: c.salvaged,
        unreadable: c.unreadable,
        images_salvaged: c.imagesSalvaged,
        images_lost: c.imagesLost,
      },
      `salvaged ${c.salvaged} record(s) and ${c.imagesSalvaged} image(s) from the damaged queue file into the new one; ` +
        `${c.unreadable} unreadable row(s), ${c.imagesLost} image(s) lost; the damaged file stays at ${aside}`,
    );
  }

  /**
   * Salvages what can be read from a damaged queue file (another file; it is only read) into
   * this queue (salvage.ts). Safe to repeat: records already here are left alone.
   */
  salvage(damagedFile: string): SalvageCounts {
    const c = salvageInto(damagedFile, this.db);
    this.recount();
    return c;
  }

  /**
   * Runs one operation; on a corrupt file, moves it aside, opens a new one and returns
   * `afterRecovery()` (which may retry against the new file).
   */
  private guard<T>(what: string, fn: () => T, afterRecovery: () => T): T {
    try {
      return fn();
    } catch (first) {
      let err = first;
      if (isFull(err) && !this.options.readonlyInspect) {
        // A full disk also blocks acks and bookkeeping (a delete needs WAL space): the reserve
        // is given up for them and the WAL checkpointed (disk-room.ts), so delivered records can
        // still leave and free space, and a store retried after acks reuses their pages.
        for (const makeRoom of this.room.steps(this.db, what === 'append to')) {
          if (!makeRoom()) continue;
          try {
            return fn();
          } catch (again) {
            err = again;
            if (!isFull(err)) break;
          }
        }
      }
      if (err instanceof AgentError) throw err;
      if (isCorrupt(err) && !this.options.readonlyInspect) {
        this.replaceCorrupt(err);
        return afterRecovery();
      }
      throw this.ioError(what, err);
    }
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
  private enqueueTx(v: Violation, shed: number): { dropped: { images: number; records: number; bytes: number }; ownDropped: number } {
    const meta = encodeMeta(v);
    const now = this.clock.now();
    const dropped = { images: 0, records: 0, bytes: 0 };
    let ownDropped = 0;
    let newBytes = 0;
    this.db.transaction(() => {
      const evidence = [...v.evidence];
      let need = recordBytes(meta, evidence);
      let over = this.bytes + need - this.maxBytes;
      if (over > 0) {
        const freed = dropOldestEvidence(this.db, over);
        Object.assign(dropped, freed);
        over -= freed.bytes;
      }
      // The new record is the newest: its own images go last, largest first.
      evidence.sort((a, b) => b.jpeg.length - a.jpeg.length);
      while (over > 0 && evidence.length > 0) {
        const gone = evidence.shift()!;
        over -= gone.jpeg.length;
        need -= gone.jpeg.length;
        ownDropped++;
      }
      if (over > 0)
        throw new AgentError(
          'RSA_QUEUE_FULL',
          `queue ${this.file}: violation ${v.id} does not fit queue.max_bytes (${this.maxBytes}) even without evidence; ${this.bytes} bytes of metadata are waiting`,
        );
      this.db
        .prepare(
          'INSERT INTO outbox (id, created_at, meta, bytes, evidence_dropped, attempts, next_attempt_at) VALUES (?, ?, ?, ?, ?, 0, ?)',
        )
        .run(v.id, now, meta, need, ownDropped + shed, now);
      const ins = this.db.prepare(
        'INSERT INTO evidence (violation_id, kind, created_at, jpeg, sha256, width, height) VALUES (?, ?, ?, ?, ?, ?, ?)',
      );
      for (const e of evidence) ins.run(v.id, e.kind, now, e.jpeg, e.sha256, e.width, e.height);
      if (ownDropped + dropped.images + shed > 0)
        this.db
          .prepare(
            "INSERT INTO counters (name, value) VALUES ('evidence_dropped', ?) ON CONFLICT (name) DO UPDATE SET value = value + excluded.value",
          )
          .run(ownDropped + dropped.images + shed);
      newBytes = this.bytes - dropped.bytes + need;
    })();
    this.bytes = newBytes;
    if (ownDropped > 0) {
      dropped.images += ownDropped;
      dropped.records += 1;
    }
    return { dropped, ownDropped };
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

  /** Records in the file (outbox and dead letters). */
  private records(): number {
    return (this.db.prepare('SELECT (SELECT COUNT(*) FROM outbox) + (SELECT COUNT(*) FROM dead) AS n').get() as { n: number }).n;
  }

  close(): void {
    try {
      if (this.options.stopMark) {
        const records = this.records();
        this.db.close();
        writeStopMark(this.file, records, existsSync(this.file) ? statSync(this.file).size : 0, this.clock.now());
        return;
      }
      this.db.close();
    } catch (err) {
      this.logger.warn({ err: describeError(err) }, 'closing the queue file failed');
    }
  }
}
