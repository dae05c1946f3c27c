// Drain rate of a backlog after an outage: 10,000 violations queued on the box, delivered to
// the real MariaDB (127.0.0.1:3306, root, a private database dropped afterwards) by the real
// queue + flush loop. With evidence (~160 KB of incompressible "JPEG" bytes per violation: a
// frame, a rider crop and a plate crop) and without. Targets from the design: ≥ 200/s with
// evidence, ≥ 5,000/s without.
//   npx tsx bench/drain.ts [count] [--host H --port P] [--batch N (central.batch_size; default: the config default)]
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { v7 } from 'uuid';
import { CentralSchema } from '../src/config/central.js';
import { CentralDb, centralDbOptions } from '../src/flush/central-db.js';
import { migrateCentral } from '../src/flush/central-schema.js';
import { Flusher } from '../src/flush/flusher.js';
import { statementBytesFor } from '../src/flush/statements.js';
import { Queue } from '../src/queue/queue.js';
import { silentLogger } from '../src/shared/logger.js';
import type { Evidence, EvidenceKind, Violation } from '../src/shared/types.js';

const args = process.argv.slice(2);
const opt = (name: string, dflt: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? (args[i + 1] ?? dflt) : dflt;
};
const COUNT = Number(args.find((a, i) => /^\d+$/.test(a) && !args[i - 1]?.startsWith('--')) ?? 10_000);
const host = opt('host', '127.0.0.1');
const port = Number(opt('port', '3306'));
const batch = args.includes('--batch') ? { batch_size: Number(opt('batch', '200')) } : {};

// A pool of distinct images reused across violations (content does not matter to the server;
// random bytes do not compress, like JPEG). Sizes: frame 120 KB, rider 30 KB, plate 10 KB.
const SIZES: Record<EvidenceKind, number> = { frame: 120_000, rider: 30_000, plate: 10_000 };
const pool: Record<EvidenceKind, Evidence[]> = { frame: [], rider: [], plate: [] };
for (const kind of Object.keys(SIZES) as EvidenceKind[])
  for (let i = 0; i < 32; i++) {
    const jpeg = randomBytes(SIZES[kind]);
    pool[kind].push({ kind, jpeg, sha256: createHash('sha256').update(jpeg).digest('hex'), width: 1280, height: 720 });
  }

function violation(i: number, withEvidence: boolean): Violation {
  const at = Date.now() - (COUNT - i) * 1000;
  return {
    id: v7(),
    type: 'no_helmet',
    cameraId: 'bench-cam',
    cameraLocation: 'Bench junction',
    plateText: `59X${String(i).padStart(6, '0')}`,
    plateConfidence: 0.9,
    detectionConfidence: 0.88,
    occurredAt: at,
    firstSeenAt: at - 1200,
    lastSeenAt: at + 400,
    frameCount: 6,
    trackId: i,
    models: { scene: 'yolox_nano.onnx@c789161e', helmet: 'helmet_cls.onnx@0123abcd', plate: 'cct_xs_v1_global.onnx@5a5a5a5a' },
    agentVersion: 'bench',
    evidence: withEvidence ? (['frame', 'rider', 'plate'] as const).map((k) => pool[k][i % 32]!) : [],
  };
}

async function run(label: string, withEvidence: boolean, target: number, dbName: string, dir: string): Promise<void> {
  const file = join(dir, `${label}.sqlite`);
  const queue = Queue.open({ file, maxBytes: 64e9, logger: silentLogger(), reserveBytes: 0 });
  let t = performance.now();
  for (let i = 0; i < COUNT; i++) queue.enqueue(violation(i, withEvidence));
  const fillS = (performance.now() - t) / 1000;
  const stored = queue.storedBytes();
  const central = CentralSchema.parse({ host, port, user: 'root', database: dbName, ...batch });
  const flusher = new Flusher({
    central,
    password: undefined,
    queue,
    logger: silentLogger(),
    cameraId: 'bench-cam',
    cameraLocation: 'Bench junction',
    agentVersion: 'bench',
    stats: () => ({ frames: 0, violations: 0, provider: 'cpu' }),
  });
  t = performance.now();
  const r = await flusher.drain(600_000);
  const s = (performance.now() - t) / 1000;
  await flusher.close();
  const left = queue.stats().pending;
  queue.close();
  const rate = r.delivered / s;
  console.log(
    `${label.padEnd(18)} ${String(r.delivered).padStart(6)} violations in ${s.toFixed(2)} s = ${rate.toFixed(0).padStart(6)} /s  ` +
      `(target ≥ ${target}/s: ${rate >= target ? 'met' : 'NOT met'}; ${(stored / COUNT / 1000).toFixed(1)} KB stored per violation, ` +
      `${((stored / s) / 1e6).toFixed(1)} MB/s; queue fill ${fillS.toFixed(1)} s; left ${left}; batches ${flusher.counters.batches})`,
  );
}

const dbName = `rsa_bench_${process.pid}`;
const admin = await mysql.createConnection({ host, port, user: 'root' });
const dir = mkdtempSync(join(tmpdir(), 'rsa-drain-'));
try {
  await admin.query(`CREATE DATABASE ${dbName}`);
  const [[vars]] = (await admin.query(
    'SELECT @@version AS v, @@max_allowed_packet AS p, @@innodb_flush_log_at_trx_commit AS f, @@innodb_buffer_pool_size AS b, @@log_bin AS lb',
  )) as unknown as [[{ v: string; p: number; f: number; b: number; lb: number }]];
  const d = CentralSchema.parse({ host, port, user: 'root', database: dbName, ...batch });
  console.log(
    `server ${vars.v} at ${host}:${port}: max_allowed_packet ${vars.p} (statements cut at ${statementBytesFor(Number(vars.p))} bytes of SQL), ` +
      `innodb_flush_log_at_trx_commit ${vars.f}, buffer pool ${(Number(vars.b) / 2 ** 20).toFixed(0)} MiB, log_bin ${vars.lb}`,
  );
  console.log(`batches: central.batch_size ${d.batch_size} violations or central.batch_max_bytes ${d.batch_max_bytes} bytes; ≤ 500 rows per INSERT`);
  const db = new CentralDb(centralDbOptions(d, undefined));
  await db.withSession((s) => migrateCentral(s));
  await db.close();
  await run('without evidence', false, 5000, dbName, dir);
  await run('with evidence', true, 200, dbName, dir);
  const [[c]] = (await admin.query(
    `SELECT (SELECT COUNT(*) FROM ${dbName}.violations) AS n, (SELECT COUNT(DISTINCT event_id) FROM ${dbName}.violations) AS d`,
  )) as unknown as [[{ n: number; d: number }]];
  console.log(`central: ${c.n} rows, ${c.d} distinct event ids (expected ${2 * COUNT})`);
} finally {
  await admin.query(`DROP DATABASE IF EXISTS ${dbName}`);
  await admin.end();
  rmSync(dir, { recursive: true, force: true });
}
