// The flusher against the real MariaDB (a private database on the shared server).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CentralDb, centralDbOptions } from '../../src/flush/central-db.js';
import { CENTRAL_MIGRATIONS, CENTRAL_SCHEMA_VERSION, migrateCentral } from '../../src/flush/central-schema.js';
import { MysqlSink } from '../../src/flush/sink.js';
import { Queue } from '../../src/queue/queue.js';
import { silentLogger } from '../../src/shared/logger.js';
import { canConnect, centralConfigFor, createTestDatabase, skipNotice, type TestDatabase } from '../helpers/mariadb.js';
import { Flusher } from '../../src/flush/flusher.js';
import { testFlusher } from '../helpers/flusher.js';
import { captureLogger } from '../queue/capture-logger.js';
import { makeViolation, makeViolations } from '../queue/make-violation.js';

const skip = skipNotice('flush against MariaDB', await canConnect(), 'no MariaDB on 127.0.0.1:3306');

describe.skipIf(skip)('flush to MariaDB', () => {
  let tdb: TestDatabase;
  let db: CentralDb;
  let dir: string;
  let queue: Queue;

  beforeAll(async () => {
    tdb = await createTestDatabase();
    db = new CentralDb(centralDbOptions(centralConfigFor(tdb), undefined));
    await db.withSession((s) => migrateCentral(s));
  });
  afterAll(async () => {
    await db?.close();
    await tdb?.drop();
  });
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rsa-flush-'));
    queue = Queue.open({ file: join(dir, 'q.sqlite'), maxBytes: 1e9, logger: silentLogger(), reserveBytes: 0 });
    await tdb.query('DELETE FROM violations');
    await tdb.query('DELETE FROM violation_evidence');
  });
  afterEach(() => {
    queue.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function flusher(overrides: Record<string, unknown> = {}, logger = silentLogger()) {
    return testFlusher({
      db: tdb,
      queue,
      logger,
      central: { flush_interval_ms: 50, retry: { initial_s: 0.05, max_s: 0.2 }, ...overrides },
      stats: () => ({ frames: 1234, violations: 5, provider: 'cpu' }),
    });
  }

  it('migrates idempotently and records the version', async () => {
    const again = await db.withSession((s) => migrateCentral(s));
    expect(again).toEqual({ from: CENTRAL_SCHEMA_VERSION, to: CENTRAL_SCHEMA_VERSION, applied: [], repaired: [] });
    const rows = await tdb.query<Array<{ version: number }>>('SELECT version FROM schema_migrations');
    expect(rows.map((r) => r.version)).toEqual(CENTRAL_MIGRATIONS.map((m) => m.version));
    const cols = await tdb.query<Array<{ COLUMN_NAME: string }>>(
      "SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'violations'",
    );
    expect(cols.map((c) => c.COLUMN_NAME)).toEqual(
      expect.arrayContaining(['violation_type', 'plate_number', 'camera_location', 'camera_id', 'detection_confidence', 'event_id', 'evidence_damaged']),
    );
  });

  it('delivers a backlog in batches, then empties the queue; times are UTC with ms and evidence intact', async () => {
    const vs = makeViolations(450, { evidenceBytes: 2000 });
    vs[0] = { ...makeViolation({ plate: null, evidenceBytes: 0 }) };
    for (const v of vs) queue.enqueue(v);
    const f = flusher({ batch_size: 200 });
    const r = await f.drain(20_000);
    await f.close();
    expect(r).toEqual({ delivered: 450, timedOut: false });
    expect(queue.stats().pending).toBe(0);
    const [count] = await tdb.query<Array<{ n: number }>>('SELECT COUNT(*) AS n FROM violations');
    expect(count!.n).toBe(450);
    const [row] = await tdb.query<Array<Record<string, unknown>>>(
      "SELECT plate_number, DATE_FORMAT(occurred_at, '%Y-%m-%d %H:%i:%s.%f') AS t, models, evidence_count FROM violations WHERE event_id = ?",
      [vs[1]!.id],
    );
    expect(row).toMatchObject({ plate_number: '59X312345', t: '2025-01-02 03:04:05.678000', evidence_count: 3 });
    const [nullPlate] = await tdb.query<Array<{ plate_number: unknown }>>('SELECT plate_number FROM violations WHERE event_id = ?', [vs[0].id]);
    expect(nullPlate!.plate_number).toBeNull();
    const ev = await tdb.query<Array<{ kind: string; sha: string; calc: string }>>(
      'SELECT kind, sha256 AS sha, SHA2(jpeg, 256) AS calc FROM violation_evidence WHERE event_id = ? ORDER BY kind',
      [vs[1]!.id],
    );
    expect(ev.map((e) => e.kind)).toEqual(['frame', 'plate', 'rider']);
    for (const e of ev) expect(e.calc).toBe(e.sha);
    expect(ev.map((e) => e.sha).sort()).toEqual(vs[1]!.evidence.map((e) => e.sha256).sort());
  });

  it('creates no duplicate when a committed batch is delivered again (lost COMMIT acknowledgement)', async () => {
    for (const v of makeViolations(20)) queue.enqueue(v);
    const batch = queue.lease(100);
    const sink = new MysqlSink(db);
    await sink.deliver(batch, new AbortController().signal);
    await sink.deliver(batch, new AbortController().signal); // the ack never reached the box
    const [c] = await tdb.query<Array<{ n: number; e: number }>>(
      'SELECT (SELECT COUNT(*) FROM violations) AS n, (SELECT COUNT(*) FROM violation_evidence) AS e',
    );
    expect(c).toEqual({ n: 20, e: 60 });
  });

  it('sends exactly the rejected record to the dead letters and delivers its batch-mates', async () => {
    const vs = makeViolations(50);
    const badAt = [7, 31];
    for (const i of badAt) vs[i] = makeViolation({ location: 'x'.repeat(300) }); // camera_location is VARCHAR(255)
    for (const v of vs) queue.enqueue(v);
    const { logger, lines } = captureLogger();
    const f = flusher({ batch_size: 50 }, logger);
    const r = await f.drain(20_000);
    await f.close();
    expect(r.delivered).toBe(48);
    const dead = queue.dead();
    expect(dead.map((d) => d.id).sort()).toEqual(badAt.map((i) => vs[i]!.id).sort());
    expect(dead[0]!.reason).toMatch(/ER_DATA_TOO_LONG/);
    expect(queue.stats().pending).toBe(0);
    const [c] = await tdb.query<Array<{ n: number }>>('SELECT COUNT(*) AS n FROM violations');
    const dups = await tdb.query<unknown[]>('SELECT event_id FROM violations GROUP BY event_id HAVING COUNT(*) > 1');
    console.log(`rejected-record drill: produced 50, central ${c!.n}, duplicates ${dups.length}, dead ${dead.length}, pending ${queue.stats().pending}`);
    expect(c!.n).toBe(48);
    expect(dups).toEqual([]);
    expect(lines.filter((l) => l.code === 'RSA_CENTRAL_REJECTED')).toHaveLength(2);
  });

  it('upserts the camera heartbeat row', async () => {
    queue.enqueue(makeViolation());
    const f = flusher();
    expect(await f.heartbeat(new AbortController().signal)).toBe(true);
    expect(await f.heartbeat(new AbortController().signal)).toBe(true);
    await f.close();
    const rows = await tdb.query<Array<Record<string, unknown>>>('SELECT camera_id, frames, violations, queue_depth, provider FROM cameras');
    expect(rows).toEqual([{ camera_id: 'cam-test', frames: 1234, violations: 5, queue_depth: 1, provider: 'cpu' }]);
  });

  it('keeps records queued and logs ERROR when the schema is missing (not dead letters)', async () => {
    const other = await createTestDatabase();
    try {
      queue.enqueue(makeViolation());
      const { logger, lines } = captureLogger();
      const f = new Flusher({
        central: centralConfigFor(other, { retry: { initial_s: 0.05, max_s: 0.1 } }),
        password: undefined,
        queue,
        logger,
        cameraId: 'c',
        cameraLocation: 'l',
        agentVersion: 'v',
        stats: () => ({ frames: 0, violations: 0, provider: 'cpu' }),
      });
      await f.drain(2000);
      await f.close();
      expect(queue.stats()).toMatchObject({ pending: 1, dead: 0 });
      expect(queue.list()[0]!.lastError).toMatch(/ER_NO_SUCH_TABLE/);
      expect(lines.some((l) => l.level === 'error' && l.error_type === 'ER_NO_SUCH_TABLE')).toBe(true);
    } finally {
      await other.drop();
    }
  });
});
