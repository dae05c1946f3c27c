// An agent of this version against a central schema still at version 1 (none of the later
// columns: evidence_damaged, plate_region, travel_direction, heading_deg): every record is
// delivered all the same, without them, with one WARN asking for `db migrate`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CENTRAL_MIGRATIONS } from '../../src/flush/central-schema.js';
import { Queue } from '../../src/queue/queue.js';
import { silentLogger } from '../../src/shared/logger.js';
import { canConnect, createTestDatabase, skipNotice, type TestDatabase } from '../helpers/mariadb.js';
import { testFlusher } from '../helpers/flusher.js';
import { captureLogger } from '../queue/capture-logger.js';
import { makeViolations } from '../queue/make-violation.js';

const skip = skipNotice('delivery to a version-1 central schema', await canConnect(), 'no MariaDB on 127.0.0.1:3306');

describe.skipIf(skip)('a central schema one migration behind', () => {
  let tdb: TestDatabase;
  let dir: string;
  beforeAll(async () => {
    tdb = await createTestDatabase();
    for (const sql of CENTRAL_MIGRATIONS[0]!.statements) await tdb.query(sql);
    dir = mkdtempSync(join(tmpdir(), 'rsa-v1-'));
  });
  afterAll(async () => {
    await tdb?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('still gets every record, without the later columns, and the agent says to migrate once', async () => {
    const queue = Queue.open({ file: join(dir, 'q.sqlite'), maxBytes: 1e9, logger: silentLogger(), reserveBytes: 0 });
    const produced = makeViolations(30, { evidenceBytes: 1000 });
    for (const v of produced) queue.enqueue(v);
    const log = captureLogger();
    const flusher = testFlusher({
      db: tdb,
      queue,
      logger: log.logger,
      central: { batch_size: 10 },
    });
    const r = await flusher.drain(10_000);
    await flusher.close();
    queue.close();
    const [row] = await tdb.query<Array<{ n: number }>>('SELECT COUNT(DISTINCT event_id) AS n FROM violations');
    expect(r.delivered).toBe(30);
    expect(Number(row!.n)).toBe(30);
    expect(log.lines.filter((l) => /central schema is older than this agent/.test(l.msg))).toHaveLength(1);
  });
});
