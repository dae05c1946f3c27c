// One violation into the outbox, in one transaction with its evidence, inside the byte bound
// (queue.max_bytes): the oldest records' images go first (byte-bound.ts), the new record's own
// images last, largest first; when even its metadata does not fit, RSA_QUEUE_FULL and nothing
// changes. Queue.enqueue runs it (with synchronous = FULL) under its recovery guard.
import type Database from 'better-sqlite3';
import { AgentError } from '../shared/errors.js';
import type { Violation } from '../shared/types.js';
import { dropOldestEvidence } from './byte-bound.js';
import { encodeMeta, recordBytes } from './codec.js';

export interface InsertResult {
  /** Images dropped to keep the bound (the new record's own included), and of how many records. */
  dropped: { images: number; records: number; bytes: number };
  /** Of those, the new record's own. */
  ownDropped: number;
  /** Bytes stored against the bound afterwards. */
  storedBytes: number;
}

/** `at`: the file (for messages), its bytes stored and bound now, and the time; `shed`: images the record lost before. */
export function insertRecord(
  db: Database.Database,
  at: { file: string; storedBytes: number; maxBytes: number; now: number },
  v: Violation,
  shed: number,
): InsertResult {
  const meta = encodeMeta(v);
  const now = at.now;
  const dropped = { images: 0, records: 0, bytes: 0 };
  let ownDropped = 0;
  let newBytes = 0;
  db.transaction(() => {
    const evidence = [...v.evidence];
    let need = recordBytes(meta, evidence);
    let over = at.storedBytes + need - at.maxBytes;
    if (over > 0) {
      const freed = dropOldestEvidence(db, over);
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
        `queue ${at.file}: violation ${v.id} does not fit queue.max_bytes (${at.maxBytes}) even without evidence; ${at.storedBytes} bytes of metadata are waiting`,
      );
    db
      .prepare(
        'INSERT INTO outbox (id, created_at, meta, bytes, evidence_dropped, attempts, next_attempt_at) VALUES (?, ?, ?, ?, ?, 0, ?)',
      )
      .run(v.id, now, meta, need, ownDropped + shed, now);
    const ins = db.prepare(
      'INSERT INTO evidence (violation_id, kind, created_at, jpeg, sha256, width, height) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    for (const e of evidence) ins.run(v.id, e.kind, now, e.jpeg, e.sha256, e.width, e.height);
    if (ownDropped + dropped.images + shed > 0)
      db
        .prepare(
          "INSERT INTO counters (name, value) VALUES ('evidence_dropped', ?) ON CONFLICT (name) DO UPDATE SET value = value + excluded.value",
        )
        .run(ownDropped + dropped.images + shed);
    newBytes = at.storedBytes - dropped.bytes + need;
  })();
  if (ownDropped > 0) {
    dropped.images += ownDropped;
    dropped.records += 1;
  }
  return { dropped, ownDropped, storedBytes: newBytes };
}
