import type Database from 'better-sqlite3';

/**
 * The queue file's schema, one migration per version; `PRAGMA user_version` holds the version
 * applied. Migrations only ever append: a file written by an older agent opens in a newer one.
 *
 * outbox    records waiting for the central commit, oldest first by `seq`
 * evidence  JPEGs of outbox and dead records, keyed by (violation id, kind); `created_at` is
 *           the owning record's, so "evidence of the oldest records first" is an index scan
 * dead      records the central server rejected permanently, with the reason
 * counters  named totals kept across restarts (evidence dropped by the byte bound)
 */
export const MIGRATIONS: ReadonlyArray<(db: Database.Database) => void> = [
  (db) =>
    db.exec(`
      CREATE TABLE outbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        created_at INTEGER NOT NULL,
        meta TEXT NOT NULL,
        bytes INTEGER NOT NULL,
        evidence_dropped INTEGER NOT NULL DEFAULT 0,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        last_error TEXT
      );
      CREATE INDEX outbox_due ON outbox (next_attempt_at, seq);
      CREATE TABLE evidence (
        violation_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        jpeg BLOB NOT NULL,
        sha256 TEXT NOT NULL,
        width INTEGER NOT NULL,
        height INTEGER NOT NULL,
        PRIMARY KEY (violation_id, kind)
      );
      CREATE INDEX evidence_age ON evidence (created_at);
      CREATE TABLE dead (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        created_at INTEGER NOT NULL,
        meta TEXT NOT NULL,
        bytes INTEGER NOT NULL,
        evidence_dropped INTEGER NOT NULL DEFAULT 0,
        attempts INTEGER NOT NULL,
        reason TEXT NOT NULL,
        dead_at INTEGER NOT NULL
      );
      CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
    `),
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** Applies the migrations the file lacks, each in its own transaction. */
export function migrate(db: Database.Database): number {
  const from = db.pragma('user_version', { simple: true }) as number;
  if (from > SCHEMA_VERSION)
    throw new Error(`queue file has schema version ${from}, newer than this agent's ${SCHEMA_VERSION}; upgrade the agent`);
  for (let v = from; v < SCHEMA_VERSION; v++) {
    db.transaction(() => {
      MIGRATIONS[v]!(db);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
  return from;
}
