// A really full disk in front of the real queue file (a small tmpfs; needs root, skipped with a
// notice otherwise) and delivery to the real MariaDB: violations the queue cannot store wait in
// the hold and reach central once space comes back, none lost, none twice. Each case prints
// produced / stored / delivered / duplicated / lost.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CentralDb, centralDbOptions } from '../../src/flush/central-db.js';
import { migrateCentral } from '../../src/flush/central-schema.js';
import { Queue } from '../../src/queue/queue.js';
import { StoreHold } from '../../src/queue/store-hold.js';
import { silentLogger } from '../../src/shared/logger.js';
import type { Violation } from '../../src/shared/types.js';
import { canConnect, centralConfigFor, createTestDatabase, skipNotice, type TestDatabase } from '../helpers/mariadb.js';
import type { Flusher } from '../../src/flush/flusher.js';
import { testFlusher } from '../helpers/flusher.js';
import { captureLogger } from '../queue/capture-logger.js';
import { makeViolation } from '../queue/make-violation.js';

const dir = mkdtempSync(join(tmpdir(), 'rsa-hold-'));
let mounted = false;
try {
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', dir], { stdio: 'ignore' });
  mounted = true;
} catch {
  console.warn('SKIPPED: disk-full hold: cannot mount a tmpfs here (needs root)');
}
const noDb = skipNotice('disk-full hold', await canConnect(), 'no MariaDB on 127.0.0.1:3306');

afterAll(() => {
  if (mounted) execFileSync('umount', [dir]);
  rmSync(dir, { recursive: true, force: true });
});

/** Fills what is left of the filesystem with a ballast file (until ENOSPC). */
function fillDisk(file: string): void {
  const chunk = Buffer.alloc(256 * 1024);
  for (let i = 0; i < 1000; i++) {
    try {
      writeFileSync(file, chunk, { flag: 'a' });
    } catch {
      return;
    }
  }
}

describe.skipIf(!mounted || noDb)('a full disk never loses a violation', () => {
  let tdb: TestDatabase;
  let db: CentralDb;
  let queue: Queue;
  let log: ReturnType<typeof captureLogger>;

  beforeAll(async () => {
    tdb = await createTestDatabase();
    db = new CentralDb(centralDbOptions(centralConfigFor(tdb), undefined));
    await db.withSession((s) => migrateCentral(s));
  });
  afterAll(async () => {
    await db?.close();
    await tdb?.drop();
  });
  beforeEach(() => {
    log = captureLogger();
    queue = Queue.open({ file: join(dir, 'cam.sqlite'), maxBytes: 1e9, logger: log.logger, reserveBytes: 2 * 1024 * 1024 });
  });
  afterEach(async () => {
    queue.close();
    for (const f of ['cam.sqlite', 'cam.sqlite-wal', 'cam.sqlite-shm', 'cam.sqlite.reserve', 'ballast']) rmSync(join(dir, f), { force: true });
    await tdb.query('DELETE FROM violations');
    await tdb.query('DELETE FROM violation_evidence');
  });

  const flusher = (): Flusher =>
    testFlusher({
      db: tdb,
      queue,
      logger: silentLogger(),
      central: { batch_size: 20 },
    });

  /** Delivers batches until nothing is due, storing what the hold has after every ack. */
  async function deliverAll(f: Flusher, hold: StoreHold): Promise<void> {
    const signal = new AbortController().signal;
    for (let i = 0; i < 1000; i++) {
      hold.retry();
      if ((await f.loop.flushOnce(signal)) === 0 && hold.size === 0) return;
    }
  }

  async function report(name: string, produced: Violation[], hold: StoreHold): Promise<{ delivered: number; duplicated: number; lost: number }> {
    const rows = await tdb.query<Array<{ event_id: string; n: number }>>('SELECT event_id, COUNT(*) AS n FROM violations GROUP BY event_id');
    const central = new Map(rows.map((r) => [r.event_id, Number(r.n)]));
    const duplicated = [...central.values()].filter((n) => n > 1).length;
    const lost = produced.filter((v) => !central.has(v.id)).length;
    const stored = hold.counters.stored + hold.counters.storedLater;
    console.log(
      `${name}: produced ${produced.length}, stored ${stored} (${hold.counters.held} had to wait in the hold, ${hold.counters.evidenceShed} images shed), delivered ${central.size}, duplicated ${duplicated}, lost ${lost} (given up ${hold.counters.lost})`,
    );
    return { delivered: central.size, duplicated, lost };
  }

  it('holds what a disk filled by something else refuses, and stores and delivers it once space comes back', async () => {
    const hold = new StoreHold(queue, { maxRecords: 1000, maxBytes: 16_000_000 }, log.logger);
    const produced: Violation[] = [];
    const produce = (n: number): void => {
      for (let i = 0; i < n; i++) {
        const v = makeViolation({ evidenceBytes: 20_000 });
        produced.push(v);
        hold.store(v);
      }
    };
    produce(5);
    fillDisk(join(dir, 'ballast'));
    produce(60);
    expect(hold.size).toBeGreaterThan(50);
    expect(log.lines.some((l) => l.level === 'error' && String(l.code) === 'RSA_QUEUE_FULL')).toBe(true);
    rmSync(join(dir, 'ballast'));
    produce(5);
    await deliverAll(flusher(), hold);
    const r = await report('disk filled by another file', produced, hold);
    expect(r).toEqual({ delivered: produced.length, duplicated: 0, lost: 0 });
    const evidence = await tdb.query<Array<{ n: number }>>('SELECT COUNT(*) AS n FROM violation_evidence');
    expect(Number(evidence[0]!.n)).toBe(produced.length * 3);
  });

  it('holds what the queue cannot store while central is down, sheds held evidence over its bound, and delivers every record when central is back', async () => {
    const hold = new StoreHold(queue, { maxRecords: 1000, maxBytes: 1_000_000 }, log.logger);
    const produced: Violation[] = [];
    // Central down: nothing is acked, so the queue itself fills the 8 MB disk.
    for (let i = 0; i < 400 && hold.counters.held < 80; i++) {
      const v = makeViolation({ evidenceBytes: 20_000 });
      produced.push(v);
      hold.store(v);
    }
    expect(hold.counters.held).toBe(80);
    expect(hold.counters.evidenceShed).toBeGreaterThan(0);
    expect(hold.heldBytes).toBeLessThanOrEqual(1_000_000);
    // Central back: acks free room (the reserve lets them through), the hold drains into the queue.
    await deliverAll(flusher(), hold);
    const r = await report('queue filled the disk during an outage', produced, hold);
    expect(r).toEqual({ delivered: produced.length, duplicated: 0, lost: 0 });
    const shed = await tdb.query<Array<{ n: number }>>('SELECT COALESCE(SUM(evidence_dropped), 0) AS n FROM violations');
    expect(Number(shed[0]!.n)).toBe(hold.counters.evidenceShed);
  });

  it('gives up only what exceeds queue.hold.max_records, at ERROR with the metadata', () => {
    const hold = new StoreHold(queue, { maxRecords: 10, maxBytes: 1_000_000 }, log.logger);
    fillDisk(join(dir, 'ballast'));
    fillDisk(join(dir, 'ballast'));
    const produced = Array.from({ length: 14 }, () => makeViolation({ evidenceBytes: 20_000 }));
    for (const v of produced) hold.store(v);
    const lostLines = log.lines.filter((l) => String(l.code) === 'RSA_VIOLATION_LOST');
    console.log(`over the hold bound: produced 14, held ${hold.size}, given up ${hold.counters.lost}`);
    expect(hold.size).toBe(10);
    expect(lostLines.map((l) => (l.violation as { id: string }).id)).toEqual(produced.slice(0, 4).map((v) => v.id));
    expect(lostLines.every((l) => l.level === 'error')).toBe(true);
  });
});
