// Fault drill: MariaDB stopped (clean shutdown, then a kill -9) and restarted while the agent
// flushes a backlog and keeps producing. Runs against a PRIVATE mariadbd this test starts in
// its own datadir and port: the shared server on 3306 is never touched.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CentralDb, centralDbOptions } from '../../src/flush/central-db.js';
import { migrateCentral } from '../../src/flush/central-schema.js';
import { Flusher } from '../../src/flush/flusher.js';
import { Queue } from '../../src/queue/queue.js';
import { captureLogger } from '../queue/capture-logger.js';
import { centralConfigFor, hasMariadbd, PrivateMariadb, skipNotice } from '../helpers/mariadb.js';
import { makeViolations } from '../queue/make-violation.js';

const skip = skipNotice('MariaDB restart drill', hasMariadbd, 'mariadbd is not installed');
const BACKLOG = 3000;
const DURING_OUTAGE = 200;

describe.skipIf(skip)('drill: MariaDB stopped and restarted mid-flush', () => {
  let server: PrivateMariadb;
  let dir: string;
  const dbName = 'rsa_drill';
  beforeAll(async () => {
    server = await PrivateMariadb.create();
    server.sql(`CREATE DATABASE ${dbName}`);
    dir = mkdtempSync(join(tmpdir(), 'rsa-restart-'));
  }, 60_000);
  afterAll(async () => {
    await server?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('loses nothing and duplicates nothing across a shutdown and a kill -9 of the server', { timeout: 150_000 }, async () => {
    const target = { endpoint: server.endpoint, name: dbName };
    const central = centralConfigFor(target, {
      batch_size: 50,
      flush_interval_ms: 50,
      connect_timeout_ms: 2000,
      query_timeout_ms: 3000,
      heartbeat_interval_s: 5,
      retry: { initial_s: 0.2, max_s: 1, factor: 2, jitter: 0.2 },
    });
    const admin = new CentralDb(centralDbOptions(central, undefined));
    await admin.withSession((s) => migrateCentral(s));
    await admin.close();

    const { logger, lines } = captureLogger();
    const queue = Queue.open({ file: join(dir, 'q.sqlite'), maxBytes: 4e9, logger, reserveBytes: 0 });
    for (const v of makeViolations(BACKLOG, { evidenceBytes: 2000 })) queue.enqueue(v);
    const flusher = new Flusher({
      central,
      password: undefined,
      queue,
      logger,
      cameraId: 'drill',
      cameraLocation: 'drill',
      agentVersion: 'drill',
      stats: () => ({ frames: 0, violations: 0, provider: 'cpu' }),
    });
    const ac = new AbortController();
    const running = flusher.start(ac.signal);
    const waitUntil = async (cond: () => boolean, ms: number, what: string) => {
      const until = Date.now() + ms;
      while (!cond()) {
        if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    let produced = BACKLOG;
    try {
      for (const how of ['SIGTERM', 'SIGKILL'] as const) {
        const before = flusher.counters.delivered;
        await waitUntil(() => flusher.counters.delivered > before + 100, 30_000, 'progress before the outage');
        await server.stop(how);
        // the camera keeps producing while the server is away
        for (const v of makeViolations(DURING_OUTAGE / 2, { evidenceBytes: 2000 })) queue.enqueue(v);
        produced += DURING_OUTAGE / 2;
        const failed = flusher.counters.failedAttempts;
        await waitUntil(() => flusher.counters.failedAttempts > failed, 20_000, 'the outage to be noticed');
        await new Promise((r) => setTimeout(r, 1500));
        await server.start();
      }
      await waitUntil(() => queue.stats().pending === 0, 90_000, 'the queue to drain');
    } finally {
      ac.abort();
      await running;
      await flusher.close();
    }
    const count = Number(server.sql('SELECT COUNT(*) FROM violations', dbName));
    const distinct = Number(server.sql('SELECT COUNT(DISTINCT event_id) FROM violations', dbName));
    const dups = server.sql('SELECT event_id FROM violations GROUP BY event_id HAVING COUNT(*) > 1', dbName);
    const evidence = Number(server.sql('SELECT COUNT(*) FROM violation_evidence', dbName));
    const stats = queue.stats();
    queue.close();
    const warns = lines.filter((l) => l.code === 'RSA_CENTRAL_UNREACHABLE').length;
    console.log(
      `restart drill: produced ${produced}, central ${count}, distinct ${distinct}, duplicates ${dups ? dups.split('\n').length : 0}, evidence rows ${evidence}, pending ${stats.pending}, dead ${stats.dead}, failed attempts ${flusher.counters.failedAttempts}, unreachable WARNs ${warns}`,
    );
    expect(flusher.counters.failedAttempts).toBeGreaterThan(0);
    expect(count).toBe(produced);
    expect(distinct).toBe(produced);
    expect(dups).toBe('');
    expect(evidence).toBe(produced * 3);
    expect(stats).toMatchObject({ pending: 0, dead: 0 });
    expect(lines.filter((l) => l.level === 'error')).toEqual([]);
  });
});
