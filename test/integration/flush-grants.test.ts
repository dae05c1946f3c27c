// The least-privilege grants in docs/central.md are enough for the agent: delivery (including
// an idempotent re-delivery) and the heartbeat, as a user that has only those grants.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CentralDb, centralDbOptions } from '../../src/flush/central-db.js';
import { Flusher } from '../../src/flush/flusher.js';
import { MysqlSink } from '../../src/flush/sink.js';
import { Queue } from '../../src/queue/queue.js';
import { silentLogger } from '../../src/shared/logger.js';
import { canConnect, centralConfigFor, createTestDatabase, skipNotice, type TestDatabase, migrateTestDatabase } from '../helpers/mariadb.js';
import { makeViolations } from '../queue/make-violation.js';

const skip = skipNotice('least-privilege grants', await canConnect(), 'no MariaDB on 127.0.0.1:3306');

describe.skipIf(skip)('the agent user with only the documented grants', () => {
  let tdb: TestDatabase;
  let dir: string;
  const user = `rsa_agent_${process.pid}`;
  const password = randomBytes(12).toString('hex');
  beforeAll(async () => {
    tdb = await createTestDatabase();
    await migrateTestDatabase(tdb);
    const d = tdb.name;
    await tdb.query(`CREATE USER '${user}'@'%' IDENTIFIED BY '${password}'`);
    await tdb.query(`GRANT SELECT, INSERT ON \`${d}\`.violations TO '${user}'@'%'`);
    await tdb.query(`GRANT SELECT, INSERT ON \`${d}\`.violation_evidence TO '${user}'@'%'`);
    await tdb.query(`GRANT SELECT, INSERT, UPDATE ON \`${d}\`.cameras TO '${user}'@'%'`);
    await tdb.query(`GRANT SELECT ON \`${d}\`.schema_migrations TO '${user}'@'%'`);
    dir = mkdtempSync(join(tmpdir(), 'rsa-grants-'));
  });
  afterAll(async () => {
    await tdb?.query(`DROP USER IF EXISTS '${user}'@'%'`).catch(() => undefined);
    await tdb?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('delivers, re-delivers without duplicates, and upserts the heartbeat; cannot delete', async () => {
    const queue = Queue.open({ file: join(dir, 'q.sqlite'), maxBytes: 1e9, logger: silentLogger(), reserveBytes: 0 });
    for (const v of makeViolations(30)) queue.enqueue(v);
    const central = centralConfigFor(tdb, { user });
    const batch = queue.lease(100);
    const db = new CentralDb(centralDbOptions(central, password));
    await new MysqlSink(db).deliver(batch, new AbortController().signal); // then the "ack was lost"
    await expect(db.withSession((s) => s.query('DELETE FROM violations'))).rejects.toMatchObject({ code: 'ER_TABLEACCESS_DENIED_ERROR' });
    await db.close();
    const f = new Flusher({
      central,
      password,
      queue,
      logger: silentLogger(),
      cameraId: 'cam-grants',
      cameraLocation: 'grants',
      agentVersion: 'test',
      stats: () => ({ frames: 1, violations: 30, provider: 'cpu' }),
    });
    expect(await f.drain(10_000)).toEqual({ delivered: 30, timedOut: false });
    expect(await f.heartbeat(new AbortController().signal)).toBe(true);
    expect(await f.heartbeat(new AbortController().signal)).toBe(true);
    await f.close();
    queue.close();
    const [c] = await tdb.query<Array<{ n: number; e: number; cams: number }>>(
      'SELECT (SELECT COUNT(*) FROM violations) AS n, (SELECT COUNT(*) FROM violation_evidence) AS e, (SELECT COUNT(*) FROM cameras) AS cams',
    );
    expect(c).toEqual({ n: 30, e: 90, cams: 1 });
  });
});
