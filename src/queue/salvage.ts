// Salvage of a damaged queue file: every record that can still be read goes into a good queue.
//
// Reads the damaged file with better-sqlite3 only (no sqlite3 CLI, no `.recover`, which
// Debian's sqlite3 lacks), row by row by rowid: a damaged page fails only the lookups of the
// rows on it, so the rows on every other page are still read. A row whose read fails, or whose
// metadata is not valid JSON, is counted as unreadable.
//
// Order and rules
// - Metadata first: every readable outbox and dead-letter record is inserted into the target
//   (an id already there is left alone, so salvaging twice changes nothing), with its attempts
//   and next attempt, and for dead letters their reason.
// - Then images: only those whose bytes match their sha256 are kept; the others are counted
//   as lost and added to their record's `evidence_dropped`.
// - The damaged file is never written (opened read-only) and never deleted.
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { recordBytes } from './codec.js';

export interface SalvageCounts {
  /** Records (outbox + dead) read and stored in the target. */
  salvaged: number;
  /** Of them, already in the target before (a second salvage). */
  alreadyThere: number;
  /** Rows that could not be read (a damaged page, invalid metadata). */
  unreadable: number;
  imagesSalvaged: number;
  /** Images unreadable, failing their sha256, or of a record that was not salvaged. */
  imagesLost: number;
}

interface Salvaged {
  table: 'outbox' | 'dead';
  bytes: number;
}

interface Row {
  [k: string]: unknown;
}

/**
 * Rows of `table` in rowid order, tolerating read errors: a plain scan first; when it hits
 * damage, the rest by single-rowid lookups from the last good row to max(rowid) (or, when that
 * is unreadable too, until 100,000 rowids in a row gave nothing).
 */
function readTolerant(db: Database.Database, table: string, onRow: (row: Row) => void): { read: number; failed: number } {
  let read = 0;
  let last = 0;
  try {
    for (const row of db.prepare(`SELECT rowid AS _rowid, * FROM ${table} ORDER BY rowid`).iterate() as IterableIterator<Row>) {
      onRow(row);
      read++;
      last = Number(row._rowid);
    }
    return { read, failed: 0 };
  } catch {
    // damaged: go on row by row after the last good one
  }
  const edge = (sql: string): number | null => {
    try {
      const v = (db.prepare(sql).get() as { m: number | null }).m;
      return v === null ? null : Number(v);
    } catch {
      return null;
    }
  };
  const max = edge(`SELECT max(rowid) AS m FROM ${table}`);
  const one = db.prepare(`SELECT rowid AS _rowid, * FROM ${table} WHERE rowid = ?`);
  let failed = 0;
  let gap = 0;
  for (let r = Math.max(last + 1, edge(`SELECT min(rowid) AS m FROM ${table}`) ?? 1); max === null ? gap < 100_000 : r <= max; r++) {
    try {
      const row = one.get(r) as Row | undefined;
      if (!row) {
        gap++;
        continue;
      }
      gap = 0;
      onRow(row);
      read++;
    } catch {
      failed++;
      gap++;
    }
  }
  return { read, failed };
}

/** Read-only (its -wal read too); where that fails, immutable (the main file alone, no -shm). */
function openDamaged(file: string): Database.Database {
  try {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    db.prepare('SELECT count(*) FROM sqlite_master').get();
    return db;
  } catch {
    return new Database(`file:${file}?immutable=1`, { readonly: true, fileMustExist: true });
  }
}

/**
 * Copies what can be read from `damagedFile` into `target` (an open, migrated queue file).
 * Throws when the file cannot be opened as SQLite at all (e.g. its header page is destroyed).
 */
export function salvageInto(damagedFile: string, target: Database.Database): SalvageCounts {
  const counts: SalvageCounts = { salvaged: 0, alreadyThere: 0, unreadable: 0, imagesSalvaged: 0, imagesLost: 0 };
  const src = openDamaged(damagedFile);
  try {
    const metaBytes = new Map<string, Salvaged>();
    const already = new Set<string>();
    const insOutbox = target.prepare(
      `INSERT OR IGNORE INTO outbox (id, created_at, meta, bytes, evidence_dropped, attempts, next_attempt_at, last_error)
       VALUES (@id, @created_at, @meta, @bytes, @evidence_dropped, @attempts, @next_attempt_at, @last_error)`,
    );
    const insDead = target.prepare(
      `INSERT OR IGNORE INTO dead (seq, id, created_at, meta, bytes, evidence_dropped, attempts, reason, dead_at)
       VALUES ((SELECT COALESCE(MAX(seq), 0) + 1 FROM dead), @id, @created_at, @meta, @bytes, @evidence_dropped, @attempts, @reason, @dead_at)`,
    );
    const metadata = (table: 'outbox' | 'dead', ins: Database.Statement) => (row: Row) => {
      const id = row.id;
      const meta = row.meta;
      if (typeof id !== 'string' || typeof meta !== 'string' || !validJson(meta)) {
        counts.unreadable++;
        return;
      }
      const bytes = recordBytes(meta, []);
      const changes = ins.run({
        id,
        created_at: Number(row.created_at ?? Date.now()),
        meta,
        bytes,
        evidence_dropped: Number(row.evidence_dropped ?? 0),
        attempts: Number(row.attempts ?? 0),
        next_attempt_at: Number(row.next_attempt_at ?? 0),
        last_error: typeof row.last_error === 'string' ? row.last_error : 'salvaged from a damaged queue file',
        reason: typeof row.reason === 'string' ? row.reason : 'salvaged from a damaged queue file',
        dead_at: Number(row.dead_at ?? Date.now()),
      }).changes;
      if (changes === 0) {
        counts.alreadyThere++;
        already.add(id);
      } else metaBytes.set(id, { table, bytes });
      counts.salvaged++;
    };
    target.transaction(() => {
      for (const [table, ins] of [['outbox', insOutbox], ['dead', insDead]] as const) {
        const r = readTolerant(src, table, metadata(table, ins));
        counts.unreadable += r.failed;
      }
    })();

    // Images whose record was salvaged now, and whose bytes match their sha256.
    const insImage = target.prepare(
      'INSERT OR IGNORE INTO evidence (violation_id, kind, created_at, jpeg, sha256, width, height) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    const grow = {
      outbox: target.prepare('UPDATE outbox SET bytes = bytes + ? WHERE id = ?'),
      dead: target.prepare('UPDATE dead SET bytes = bytes + ? WHERE id = ?'),
    };
    const got = new Map<string, number>();
    target.transaction(() => {
      const r = readTolerant(src, 'evidence', (row) => {
        const id = String(row.violation_id);
        const rec = metaBytes.get(id);
        if (!rec) {
          if (!already.has(id)) counts.imagesLost++; // its record could not be read
          return;
        }
        const jpeg = row.jpeg;
        if (!Buffer.isBuffer(jpeg) || createHash('sha256').update(jpeg).digest('hex') !== row.sha256) {
          counts.imagesLost++;
          return;
        }
        insImage.run(id, row.kind, Number(row.created_at), jpeg, row.sha256, Number(row.width), Number(row.height));
        grow[rec.table].run(jpeg.length, id);
        got.set(id, (got.get(id) ?? 0) + 1);
        counts.imagesSalvaged++;
      });
      counts.imagesLost += r.failed;
      countDropped(src, target, metaBytes, got);
    })();
    return counts;
  } finally {
    src.close();
  }
}

/**
 * Adds the images a salvaged record lost to its evidence_dropped, as far as the damaged file's
 * primary-key index (a separate b-tree, often intact when table pages are not) still counts them.
 */
function countDropped(src: Database.Database, target: Database.Database, salvaged: Map<string, Salvaged>, got: Map<string, number>): void {
  let had: Database.Statement;
  try {
    had = src.prepare('SELECT count(*) AS n FROM evidence INDEXED BY sqlite_autoindex_evidence_1 WHERE violation_id = ?');
  } catch {
    return;
  }
  const add = {
    outbox: target.prepare('UPDATE outbox SET evidence_dropped = evidence_dropped + ? WHERE id = ?'),
    dead: target.prepare('UPDATE dead SET evidence_dropped = evidence_dropped + ? WHERE id = ?'),
  };
  for (const [id, rec] of salvaged) {
    try {
      const lost = (had.get(id) as { n: number }).n - (got.get(id) ?? 0);
      if (lost > 0) add[rec.table].run(lost, id);
    } catch {
      // that index page is damaged too: the count stays as it was
    }
  }
}

function validJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
