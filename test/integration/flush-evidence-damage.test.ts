// Evidence whose bytes were damaged inside the real queue file (bytes flipped in place, in the
// file on disk) is never delivered as good: the record reaches the real MariaDB without that
// image, `evidence_damaged` says so, and every image that arrives matches its sha256.
import { createHash } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue } from '../../src/queue/queue.js';
import { silentLogger } from '../../src/shared/logger.js';
import { canConnect, createTestDatabase, skipNotice, type TestDatabase, migrateTestDatabase } from '../helpers/mariadb.js';
import { testFlusher } from '../helpers/flusher.js';
import { captureLogger } from '../queue/capture-logger.js';
import { makeViolation } from '../queue/make-violation.js';

const skip = skipNotice('evidence damage before delivery', await canConnect(), 'no MariaDB on 127.0.0.1:3306');

/** Flips one byte in the middle of `needle`'s bytes where they sit in `file`. */
function flipInFile(file: string, needle: Buffer): void {
  const at = readFileSync(file).indexOf(needle.subarray(100, 164));
  expect(at).toBeGreaterThan(0);
  const fd = openSync(file, 'r+');
  const b = Buffer.alloc(1);
  readSync(fd, b, 0, 1, at + 10);
  b[0] = b[0]! ^ 0xff;
  writeSync(fd, b, 0, 1, at + 10);
  closeSync(fd);
}

describe.skipIf(skip)('damaged evidence in the queue file', () => {
  let tdb: TestDatabase;
  let dir: string;
  beforeAll(async () => {
    tdb = await createTestDatabase();
    await migrateTestDatabase(tdb);
    dir = mkdtempSync(join(tmpdir(), 'rsa-damage-'));
  });
  afterAll(async () => {
    await tdb?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is withheld, counted and logged; the record is delivered once, and no image arrives that fails its sha256', async () => {
    const file = join(dir, 'cam.sqlite');
    const produced = Array.from({ length: 5 }, () => makeViolation({ evidenceBytes: 3000 }));
    let queue = Queue.open({ file, maxBytes: 1e9, logger: silentLogger(), reserveBytes: 0 });
    for (const v of produced) queue.enqueue(v);
    queue.close(); // the last close checkpoints the WAL into the main file
    flipInFile(file, produced[1]!.evidence[0]!.jpeg);
    flipInFile(file, produced[3]!.evidence[2]!.jpeg);

    const log = captureLogger();
    queue = Queue.open({ file, maxBytes: 1e9, logger: silentLogger(), reserveBytes: 0 });
    const flusher = testFlusher({
      db: tdb,
      queue,
      logger: log.logger,
    });
    const r = await flusher.drain(10_000);
    await flusher.close();
    queue.close();

    const rows = await tdb.query<Array<{ event_id: string; evidence_count: number; evidence_damaged: number }>>(
      'SELECT event_id, evidence_count, evidence_damaged FROM violations',
    );
    const evidence = await tdb.query<Array<{ event_id: string; kind: string; jpeg: Buffer; sha256: string }>>('SELECT * FROM violation_evidence');
    const badCentral = evidence.filter((e) => createHash('sha256').update(e.jpeg).digest('hex') !== e.sha256);
    const damagedLines = log.lines.filter((l) => l.code === 'RSA_EVIDENCE_DAMAGED');
    const ids = new Set(rows.map((x) => x.event_id));
    console.log(
      `evidence damage: produced 5 (15 images, 2 damaged in the file), delivered ${rows.length} records / ${evidence.length} images, ` +
        `duplicated ${rows.length - ids.size}, lost ${produced.filter((v) => !ids.has(v.id)).length}, damaged delivered as good ${badCentral.length}, withheld ${flusher.counters.evidenceDamaged}`,
    );
    expect(r.delivered).toBe(5);
    expect(rows).toHaveLength(5);
    expect(evidence).toHaveLength(13);
    expect(badCentral).toHaveLength(0);
    expect(flusher.counters.evidenceDamaged).toBe(2);
    const byId = new Map(rows.map((x) => [x.event_id, x]));
    expect(byId.get(produced[1]!.id)).toMatchObject({ evidence_count: 2, evidence_damaged: 1 });
    expect(byId.get(produced[3]!.id)).toMatchObject({ evidence_count: 2, evidence_damaged: 1 });
    expect(byId.get(produced[0]!.id)).toMatchObject({ evidence_count: 3, evidence_damaged: 0 });
    expect(damagedLines.map((l) => [l.violation_id, l.kind, l.level])).toEqual([
      [produced[1]!.id, 'frame', 'error'],
      [produced[3]!.id, 'plate', 'error'],
    ]);
  });
});
