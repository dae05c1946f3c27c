// The queue's SQLite file: opening it, and what happens when the file or the disk fails.
// The outbox operations on it are queue.ts.
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
import { existsSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { systemClock, type Clock } from '../shared/clock.js';
import { AgentError, describeError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { setAside } from './corrupt.js';
import { DiskRoom } from './disk-room.js';
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

function storedBytes(db: Database.Database): number {
  return (db.prepare('SELECT (SELECT COALESCE(SUM(bytes), 0) FROM outbox) + (SELECT COALESCE(SUM(bytes), 0) FROM dead) AS b').get() as { b: number }).b;
}

/** The file under a Queue: its handle, the bytes counted against the bound, recovery. */
export abstract class QueueFile {
  readonly file: string;
  protected db!: Database.Database;
  protected bytes = 0;
  protected readonly maxBytes: number;
  protected readonly logger: Logger;
  protected readonly clock: Clock;
  protected readonly options: QueueOptions;
  protected readonly room: DiskRoom;

  protected constructor(options: QueueOptions) {
    this.options = options;
    this.room = new DiskRoom(options.file, options.reserveBytes ?? 4 * 1024 * 1024, options.logger);
    this.file = options.file;
    this.maxBytes = options.maxBytes;
    this.logger = options.logger;
    this.clock = options.clock ?? systemClock;
  }

  /** Opens (or creates) the file; a corrupt one is moved aside and replaced (Queue.open). */
  protected start(): void {
    const options = this.options;
    const mark = options.stopMark ? readStopMark(options.file, options.logger) : null;
    try {
      this.openFile();
    } catch (err) {
      if (!isCorrupt(err) || options.readonlyInspect) throw this.ioError('open', err);
      this.replaceCorrupt(err);
    }
    if (!options.readonlyInspect) this.room.keepReserve();
    if (options.stopMark) checkStopMark(options.file, mark, this.records(), options.logger);
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

  protected recount(): void {
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
  protected guard<T>(what: string, fn: () => T, afterRecovery: () => T): T {
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

  /** Records in the file (outbox and dead letters). */
  protected records(): number {
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
