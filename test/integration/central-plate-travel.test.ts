// Migration 3 on the real MariaDB: a schema made by version 1 gains plate_region,
// travel_direction and heading_deg; a violation delivered carries them; one queued by an older
// agent (without the fields) is delivered with NULLs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CentralDb, centralDbOptions } from '../../src/flush/central-db.js';
import { CENTRAL_MIGRATIONS, migrateCentral } from '../../src/flush/central-schema.js';
import { MysqlSink } from '../../src/flush/sink.js';
import { Queue } from '../../src/queue/queue.js';
import { silentLogger } from '../../src/shared/logger.js';
import { canConnect, centralConfigFor, createTestDatabase, skipNotice, type TestDatabase } from '../helpers/mariadb.js';
import { makeViolation } from '../queue/make-violation.js';

const skip = skipNotice('central migration 3 against MariaDB', await canConnect(), 'no MariaDB on 127.0.0.1:3306');

describe.skipIf(skip)('plate region and direction of travel centrally', () => {
  let tdb: TestDatabase | undefined;
  let db: CentralDb | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'rsa-m3-'));
  afterAll(async () => {
    await db?.close();
    await tdb?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('migrates a version-1 schema to the latest and delivers the new fields', async () => {
    tdb = await createTestDatabase();
    db = new CentralDb(centralDbOptions(centralConfigFor(tdb), undefined));
    // A central database made by an agent that knew version 1 only.
    await db.withSession(async (s) => {
      await s.query(`CREATE TABLE schema_migrations (version INT UNSIGNED NOT NULL PRIMARY KEY, name VARCHAR(200) NOT NULL,
        applied_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)) ENGINE=InnoDB`);
      for (const sql of CENTRAL_MIGRATIONS[0]!.statements) await s.query(sql);
      await s.query('INSERT INTO schema_migrations (version, name) VALUES (1, ?)', [CENTRAL_MIGRATIONS[0]!.name]);
    });
    const r = await db.withSession((s) => migrateCentral(s));
    expect(r.from).toBe(1);
    expect(r.applied).toContain('3: violations.plate_region, travel_direction, heading_deg');

    const queue = Queue.open({ file: join(dir, 'q.sqlite'), maxBytes: 1e9, logger: silentLogger(), reserveBytes: 0 });
    const now = { ...makeViolation({ plate: '77L138777' }), plateRegion: 'Vietnam', travelDirection: 'away' as const, headingDeg: -92 };
    const old = makeViolation({ plate: '59X312345' }); // queued before the fields existed
    queue.enqueue(now);
    queue.enqueue(old);
    await new MysqlSink(db).deliver(queue.lease(10), new AbortController().signal);
    queue.close();
    const rows = await tdb.query<Array<Record<string, unknown>>>(
      'SELECT event_id, plate_number, plate_region, travel_direction, heading_deg FROM violations ORDER BY plate_number',
    );
    expect(rows).toEqual([
      { event_id: old.id, plate_number: '59X312345', plate_region: null, travel_direction: null, heading_deg: null },
      { event_id: now.id, plate_number: '77L138777', plate_region: 'Vietnam', travel_direction: 'away', heading_deg: -92 },
    ]);
  });
});
