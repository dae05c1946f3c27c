// Fault drill: the agent (a child process running the real flush loop over a pre-filled queue)
// is killed with SIGKILL at random points of a flush, 20 times, and restarted each time.
// After it: every violation produced is in central MySQL exactly once and the queue is empty.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue } from '../../src/queue/queue.js';
import { silentLogger } from '../../src/shared/logger.js';
import { AgentChild } from '../fixtures/flush-agent-control.js';
import { canConnect, centralConfigFor, createTestDatabase, skipNotice, type TestDatabase, migrateTestDatabase } from '../helpers/mariadb.js';
import { makeViolations } from '../queue/make-violation.js';

const skip = skipNotice('SIGKILL drill', await canConnect(), 'no MariaDB on 127.0.0.1:3306');
const INITIAL = 3000;
const REFILL = 1000;
const KILLS = 20;

describe.skipIf(skip)('drill: agent killed with SIGKILL mid-flush, many times', () => {
  let tdb: TestDatabase;
  let dir: string;
  beforeAll(async () => {
    tdb = await createTestDatabase();
    await migrateTestDatabase(tdb);
    dir = mkdtempSync(join(tmpdir(), 'rsa-kill-'));
  });
  afterAll(async () => {
    await tdb?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('delivers every violation exactly once across 20 SIGKILLs', { timeout: 120_000 }, async () => {
    const queueFile = join(dir, 'q.sqlite');
    const q = Queue.open({ file: queueFile, maxBytes: 4e9, logger: silentLogger(), reserveBytes: 0 });
    for (const v of makeViolations(INITIAL, { evidenceBytes: 300 })) q.enqueue(v);
    q.close();
    let produced = INITIAL;
    const spec = {
      queueFile,
      central: centralConfigFor(tdb, { batch_size: 20, flush_interval_ms: 50, connect_timeout_ms: 2000, query_timeout_ms: 5000 }),
      exitWhenEmpty: true,
    };
    let killedMidFlush = 0;
    let killedBetweenCommitAndAck = 0;
    for (let i = 0; i < KILLS; i++) {
      const agent = new AgentChild(spec);
      try {
        await agent.waitFor((e) => (e.delivered ?? 0) > 0, 20_000);
        // a random point of the flush: up to 200 ms after the first batch was acked
        await new Promise((r) => setTimeout(r, Math.random() * 200));
        if (agent.child.exitCode === null) killedMidFlush++;
      } finally {
        await agent.kill('SIGKILL');
      }
      // Did this kill land between a central COMMIT and the ack on the box? Then central holds
      // more than the queue lost, and the next run re-delivers those records.
      const probe = Queue.open({ file: queueFile, maxBytes: 4e9, logger: silentLogger(), reserveBytes: 0 });
      const acked = produced - probe.stats().pending;
      // keep a backlog so that every run is killed mid-flush however fast this machine is
      if (probe.stats().pending < REFILL) {
        for (const v of makeViolations(REFILL, { evidenceBytes: 300 })) probe.enqueue(v);
        produced += REFILL;
      }
      probe.close();
      const [n] = await tdb.query<Array<{ n: number }>>('SELECT COUNT(*) AS n FROM violations');
      if (n!.n > acked) killedBetweenCommitAndAck++;
    }
    const final = new AgentChild(spec);
    const done = await final.waitFor((e) => e.event === 'done', 60_000);
    await final.exited;

    const [c] = await tdb.query<Array<{ n: number; d: number; e: number }>>(
      'SELECT COUNT(*) AS n, COUNT(DISTINCT event_id) AS d, (SELECT COUNT(*) FROM violation_evidence) AS e FROM violations',
    );
    const dups = await tdb.query<unknown[]>('SELECT event_id FROM violations GROUP BY event_id HAVING COUNT(*) > 1');
    const after = Queue.open({ file: queueFile, maxBytes: 4e9, logger: silentLogger(), reserveBytes: 0 });
    const stats = after.stats();
    after.close();
    console.log(
      `SIGKILL drill: produced ${produced}, kills ${KILLS} (${killedMidFlush} while flushing, ${killedBetweenCommitAndAck} between COMMIT and ack), central ${c!.n}, distinct ${c!.d}, duplicates ${dups.length}, evidence rows ${c!.e}, pending ${stats.pending}, dead ${stats.dead}, final run delivered ${done.delivered}`,
    );
    expect(killedMidFlush).toBe(KILLS);
    expect(done.delivered).toBeLessThan(produced); // the killed runs did part of the work
    expect(c!.n).toBe(produced);
    expect(dups).toEqual([]);
    expect(c!.e).toBe(produced * 3);
    expect(stats).toMatchObject({ pending: 0, dead: 0 });
  });
});
