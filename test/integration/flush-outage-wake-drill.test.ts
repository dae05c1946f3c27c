// Drill: a private mariadbd stopped while the flusher delivers, with a retry delay (60 s) much
// longer than the heartbeat interval (5 s): when the server is back, the heartbeat sees it and
// the waiting batch goes at once instead of sleeping out its delay; the end of the outage is
// logged with its length. Prints produced / delivered / duplicated / lost and the wait.
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

const skip = skipNotice('outage wake drill', hasMariadbd, 'mariadbd is not installed');
const RETRY_S = 60;

describe.skipIf(skip)('drill: central back during a long retry delay', () => {
  let server: PrivateMariadb;
  let dir: string;
  beforeAll(async () => {
    server = await PrivateMariadb.create({ port: 24530 });
    server.sql('CREATE DATABASE rsa_wake');
    dir = mkdtempSync(join(tmpdir(), 'rsa-wake-'));
  }, 60_000);
  afterAll(async () => {
    await server?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('delivers as soon as the heartbeat sees the server back, long before the retry delay ends', { timeout: 120_000 }, async () => {
    const central = centralConfigFor(
      { endpoint: server.endpoint, name: 'rsa_wake' },
      { flush_interval_ms: 100, connect_timeout_ms: 2000, query_timeout_ms: 3000, heartbeat_interval_s: 5, retry: { initial_s: RETRY_S, max_s: RETRY_S, jitter: 0 } },
    );
    const admin = new CentralDb(centralDbOptions(central, undefined));
    await admin.withSession((s) => migrateCentral(s));
    await admin.close();
    const { logger, lines } = captureLogger();
    const queue = Queue.open({ file: join(dir, 'q.sqlite'), maxBytes: 1e9, logger, reserveBytes: 0 });
    const flusher = new Flusher({
      central,
      password: undefined,
      queue,
      logger,
      cameraId: 'wake',
      cameraLocation: 'wake',
      agentVersion: 'drill',
      stats: () => ({ frames: 0, violations: 0, provider: 'cpu' }),
    });
    const until = async (cond: () => boolean, ms: number, what: string): Promise<void> => {
      const end = Date.now() + ms;
      while (!cond()) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    const ac = new AbortController();
    const running = flusher.start(ac.signal);
    const produced = makeViolations(40, { evidenceBytes: 2000 });
    let backAt = 0;
    let deliveredAt = 0;
    try {
      for (const v of produced.slice(0, 20)) queue.enqueue(v);
      flusher.wake();
      await until(() => flusher.counters.delivered === 20, 20_000, 'the first 20');
      await server.stop('SIGTERM');
      for (const v of produced.slice(20)) queue.enqueue(v);
      flusher.wake();
      await until(() => flusher.counters.failedAttempts > 0, 20_000, 'the failed attempt');
      await new Promise((r) => setTimeout(r, 1000));
      await server.start();
      backAt = Date.now();
      await until(() => queue.stats().pending === 0, (RETRY_S - 10) * 1000, 'delivery before the retry delay ends');
      deliveredAt = Date.now();
    } finally {
      ac.abort();
      await running;
      await flusher.close();
    }
    queue.close();
    const rows = server.sql('SELECT event_id FROM violations', 'rsa_wake').split('\n').filter(Boolean);
    const ids = new Set(rows);
    const lost = produced.filter((v) => !ids.has(v.id)).length;
    const back = lines.find((l) => /reachable again after/.test(l.msg));
    console.log(
      `outage wake drill: produced ${produced.length}, delivered ${ids.size}, duplicated ${rows.length - ids.size}, lost ${lost}; ` +
        `server back → queue empty in ${((deliveredAt - backAt) / 1000).toFixed(1)} s (retry delay ${RETRY_S} s, heartbeat 5 s); logged: "${back?.msg ?? '-'}"`,
    );
    expect(lost).toBe(0);
    expect(rows.length).toBe(ids.size);
    expect(back).toBeDefined();
    expect(Number(back!.outage_s)).toBeGreaterThan(0);
  });
});
