// Measures what `PRAGMA synchronous` costs the queue in WAL mode: FULL vs NORMAL, per single
// insert (one transaction each, as enqueue does) and per batch (one transaction of N rows,
// as ack does). Run: npx tsx bench/sqlite-sync.ts [dir]  (dir: where the file lives, default
// the OS temp dir; run it on the box's real state disk for numbers that matter there).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';

const dir = mkdtempSync(join(process.argv[2] ?? tmpdir(), 'rsa-sync-'));
const SINGLE = 300;
const BATCHES = 30;
const BATCH = 200;
const payload = randomBytes(150_000); // one violation's evidence

function run(mode: 'FULL' | 'NORMAL'): { single: number; small: number; batch: number } {
  const file = join(dir, `${mode}.sqlite`);
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${mode}`);
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, meta TEXT, blob BLOB)');
  const insert = db.prepare('INSERT INTO t (meta, blob) VALUES (?, ?)');
  let t = process.hrtime.bigint();
  for (let i = 0; i < SINGLE; i++) db.transaction(() => insert.run(`{"i":${i}}`, payload))();
  const single = Number(process.hrtime.bigint() - t) / 1e6 / SINGLE;
  t = process.hrtime.bigint();
  for (let i = 0; i < SINGLE; i++) db.transaction(() => insert.run(`{"i":${i}}`, null))();
  const small = Number(process.hrtime.bigint() - t) / 1e6 / SINGLE;
  const many = db.transaction((n: number) => {
    for (let i = 0; i < n; i++) insert.run(`{"i":${i}}`, payload.subarray(0, 2000));
  });
  t = process.hrtime.bigint();
  for (let b = 0; b < BATCHES; b++) many(BATCH);
  const batch = Number(process.hrtime.bigint() - t) / 1e6 / BATCHES;
  db.close();
  return { single, small, batch };
}

try {
  const normal = run('NORMAL');
  const full = run('FULL');
  console.log(`dir ${dir}`);
  console.log(`single insert with 150 KB evidence, own transaction: NORMAL ${normal.single.toFixed(2)} ms  FULL ${full.single.toFixed(2)} ms  (x${(full.single / normal.single).toFixed(1)})`);
  console.log(`single insert, metadata only, own transaction:     NORMAL ${normal.small.toFixed(2)} ms  FULL ${full.small.toFixed(2)} ms  (x${(full.small / normal.small).toFixed(1)})`);
  console.log(`batch of ${BATCH} small rows, one transaction:        NORMAL ${normal.batch.toFixed(2)} ms  FULL ${full.batch.toFixed(2)} ms  (x${(full.batch / normal.batch).toFixed(1)})`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
