// The queue's byte bound (queue.max_bytes): evidence of the oldest records goes first, outbox
// and dead letters alike, their metadata never; each record counts its dropped images.
import type Database from 'better-sqlite3';

export interface DroppedEvidence {
  images: number;
  records: number;
  bytes: number;
}

/** Deletes evidence of the oldest records until `atLeast` bytes are freed (or none is left). */
export function dropOldestEvidence(db: Database.Database, atLeast: number): DroppedEvidence {
  const pick = db.prepare('SELECT rowid AS r, violation_id AS id, length(jpeg) AS n FROM evidence ORDER BY created_at, rowid LIMIT 64');
  const del = db.prepare('DELETE FROM evidence WHERE rowid = ?');
  const shrinkOutbox = db.prepare('UPDATE outbox SET bytes = bytes - ?, evidence_dropped = evidence_dropped + 1 WHERE id = ?');
  const shrinkDead = db.prepare('UPDATE dead SET bytes = bytes - ?, evidence_dropped = evidence_dropped + 1 WHERE id = ?');
  const records = new Set<string>();
  let images = 0;
  let bytes = 0;
  while (bytes < atLeast) {
    const rows = pick.all() as Array<{ r: number; id: string; n: number }>;
    if (rows.length === 0) break;
    for (const row of rows) {
      del.run(row.r);
      if (shrinkOutbox.run(row.n, row.id).changes === 0) shrinkDead.run(row.n, row.id);
      records.add(row.id);
      images++;
      bytes += row.n;
      if (bytes >= atLeast) break;
    }
  }
  return { images, records: records.size, bytes };
}
