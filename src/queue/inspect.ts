// Read-only views of a queue file for /healthz, the heartbeat and the `queue` CLI verbs.
import { existsSync, statSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { decodeMeta } from './codec.js';

export interface QueueStats {
  file: string;
  pending: number;
  due: number;
  dead: number;
  bytes: number;
  maxBytes: number;
  fileBytes: number;
  oldestPendingAt: number | null;
  nextAttemptAt: number | null;
  evidenceDroppedTotal: number;
  schemaVersion: number;
}

export interface PendingRow {
  seq: number;
  id: string;
  createdAt: number;
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  bytes: number;
  evidenceDropped: number;
  type: string;
  plate: string | null;
}

export interface DeadRow {
  seq: number;
  id: string;
  createdAt: number;
  deadAt: number;
  attempts: number;
  reason: string;
  bytes: number;
  type: string;
  plate: string | null;
}

export function queueStats(db: Database.Database, file: string, bytes: number, maxBytes: number, now: number): QueueStats {
  const o = db
    .prepare('SELECT COUNT(*) AS pending, SUM(next_attempt_at <= ?) AS due, MIN(created_at) AS oldest, MIN(next_attempt_at) AS next FROM outbox')
    .get(now) as { pending: number; due: number | null; oldest: number | null; next: number | null };
  const d = db.prepare('SELECT COUNT(*) AS n FROM dead').get() as { n: number };
  const c = db.prepare("SELECT value FROM counters WHERE name = 'evidence_dropped'").get() as { value: number } | undefined;
  let fileBytes = 0;
  for (const f of [file, `${file}-wal`]) fileBytes += existsSync(f) ? statSync(f).size : 0;
  return {
    file,
    pending: o.pending,
    due: o.due ?? 0,
    dead: d.n,
    bytes,
    maxBytes,
    fileBytes,
    oldestPendingAt: o.oldest,
    nextAttemptAt: o.next,
    evidenceDroppedTotal: c?.value ?? 0,
    schemaVersion: db.pragma('user_version', { simple: true }) as number,
  };
}

export function pendingRows(db: Database.Database, limit: number): PendingRow[] {
  type Row = { seq: number; id: string; created_at: number; meta: string; bytes: number; evidence_dropped: number; attempts: number; next_attempt_at: number; last_error: string | null };
  return (db.prepare('SELECT * FROM outbox ORDER BY seq LIMIT ?').all(limit) as Row[]).map((r) => {
    const m = decodeMeta(r.meta);
    return {
      seq: r.seq,
      id: r.id,
      createdAt: r.created_at,
      attempts: r.attempts,
      nextAttemptAt: r.next_attempt_at,
      lastError: r.last_error,
      bytes: r.bytes,
      evidenceDropped: r.evidence_dropped,
      type: m.type,
      plate: m.plateText,
    };
  });
}

export function deadRows(db: Database.Database, limit: number): DeadRow[] {
  type Row = { seq: number; id: string; created_at: number; dead_at: number; attempts: number; reason: string; bytes: number; meta: string };
  return (db.prepare('SELECT * FROM dead ORDER BY seq LIMIT ?').all(limit) as Row[]).map((r) => {
    const m = decodeMeta(r.meta);
    return {
      seq: r.seq,
      id: r.id,
      createdAt: r.created_at,
      deadAt: r.dead_at,
      attempts: r.attempts,
      reason: r.reason,
      bytes: r.bytes,
      type: m.type,
      plate: m.plateText,
    };
  });
}
