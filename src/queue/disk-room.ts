// Room on a full disk for the queue file.
//
// Why this is needed: in WAL mode every write (an ack's DELETE included) appends to the -wal
// file, and a checkpoint copies the WAL back into the main file, which may have to grow for
// pages added since the last one. On a full disk both fail, so without help the queue can
// neither take new records nor free space by acking delivered ones: stuck for good.
//
// What it does
// - Keeps `<file>.reserve` (queue reserve, default 4 MiB, about one WAL autocheckpoint) on
//   the same filesystem while there is room, re-made after acks.
// - On SQLITE_FULL (`steps`): for acks and bookkeeping the reserve is given up first and the
//   operation retried; then a TRUNCATE checkpoint moves the WAL into the main file and cuts the
//   WAL to 0 bytes, and the operation is retried again. Pages freed by acks then serve new
//   records from the main file, so a store retried after acks fits. New records never take the
//   reserve: it stays for acks. After acks on a disk that was full, the WAL is cut and the
//   reserve re-made (`afterAck`).
// - The WAL is kept short (wal_autocheckpoint 256 pages, about 1 MiB, set by the queue), so
//   the growth of the main file a checkpoint needs stays well inside the 4 MiB reserve.
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import type Database from 'better-sqlite3';
import type { Logger } from '../shared/logger.js';

export class DiskRoom {
  constructor(
    private readonly file: string,
    private readonly reserveBytes: number,
    private readonly logger: Logger,
  ) {}

  private get reserveFile(): string {
    return `${this.file}.reserve`;
  }

  /** (Re)creates the reserve file when missing; silently skipped while the disk is full. */
  keepReserve(): void {
    if (this.reserveBytes <= 0 || existsSync(this.reserveFile)) return;
    try {
      writeFileSync(this.reserveFile, Buffer.alloc(this.reserveBytes));
    } catch {
      rmSync(this.reserveFile, { force: true });
    }
  }

  /**
   * Ways to make room after SQLITE_FULL, to try in order (the operation is retried after each
   * that did something): the reserve first (not for new records), then a TRUNCATE checkpoint.
   */
  steps(db: Database.Database, forStore: boolean): Array<() => boolean> {
    const release = (): boolean => {
      if (!existsSync(this.reserveFile)) return false;
      rmSync(this.reserveFile, { force: true });
      this.logger.warn({ code: 'RSA_QUEUE_FULL', file: this.file }, 'disk full: released the queue reserve so delivered records can be acked');
      return true;
    };
    const checkpoint = (): boolean => this.checkpoint(db);
    return forStore ? [checkpoint] : [release, checkpoint];
  }

  /** After acks on a disk that was full (no reserve): cut the WAL, then re-make the reserve. */
  afterAck(db: Database.Database): void {
    if (this.reserveBytes <= 0 || existsSync(this.reserveFile)) return;
    this.checkpoint(db);
    this.keepReserve();
  }

  /** TRUNCATE checkpoint; true when it completed (the WAL is now empty). */
  private checkpoint(db: Database.Database): boolean {
    try {
      const [r] = db.pragma('wal_checkpoint(TRUNCATE)') as Array<{ busy: number; log: number; checkpointed: number }>;
      return r !== undefined && r.busy === 0;
    } catch {
      return false;
    }
  }
}
