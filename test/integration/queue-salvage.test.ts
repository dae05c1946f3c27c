// A queue file with real byte damage (64 KiB of random bytes written into the middle of the
// file on disk): the queue moves it aside, salvages every record it can still read into a new
// file (metadata first, then the images that pass their sha256), and the real MariaDB gets
// them once each. Prints produced / salvaged / delivered / duplicated / lost and the image counts.
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue } from '../../src/queue/queue.js';
import type { SalvageCounts } from '../../src/queue/salvage.js';
import { silentLogger } from '../../src/shared/logger.js';
import { runCli } from '../helpers/cli.js';
import { exampleConfig, writeConfig } from '../helpers/config.js';
import { canConnect, createTestDatabase, skipNotice, type TestDatabase, migrateTestDatabase } from '../helpers/mariadb.js';
import { testFlusher } from '../helpers/flusher.js';
import { captureLogger } from '../queue/capture-logger.js';
import { makeViolation } from '../queue/make-violation.js';

const skip = skipNotice('salvage of a damaged queue file', await canConnect(), 'no MariaDB on 127.0.0.1:3306');

describe.skipIf(skip)('a damaged queue file', () => {
  let tdb: TestDatabase;
  let dir: string;
  beforeAll(async () => {
    tdb = await createTestDatabase();
    await migrateTestDatabase(tdb);
    dir = mkdtempSync(join(tmpdir(), 'rsa-salvage-'));
  });
  afterAll(async () => {
    await tdb?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('yields every record that can still be read, and only images that pass their sha256, once each in central', async () => {
    const file = join(dir, 'cam.sqlite');
    const produced = Array.from({ length: 107 }, () => makeViolation({ evidenceBytes: 20_000, kinds: ['frame', 'plate'] }));
    let q = Queue.open({ file, maxBytes: 1e9, logger: silentLogger(), reserveBytes: 0 });
    for (const v of produced) q.enqueue(v);
    q.close();
    const size = statSync(file).size;
    const fd = openSync(file, 'r+');
    writeSync(fd, randomBytes(64 * 1024), 0, 64 * 1024, Math.floor(size / 2 / 4096) * 4096);
    closeSync(fd);

    const log = captureLogger();
    q = Queue.open({ file, maxBytes: 1e9, logger: log.logger, reserveBytes: 0 });
    const flusher = testFlusher({
      db: tdb,
      queue: q,
      logger: log.logger,
    });
    // The damage shows at open or at the first lease that reads a damaged page; drain twice.
    await flusher.drain(20_000);
    await flusher.drain(20_000);
    await flusher.close();
    const left = q.stats().pending;
    q.close();

    const salvage = log.lines.find((l) => /^salvaged /.test(l.msg));
    expect(salvage, 'no salvage log line').toBeDefined();
    const rows = await tdb.query<Array<{ event_id: string; n: number }>>('SELECT event_id, COUNT(*) AS n FROM violations GROUP BY event_id');
    const evidence = await tdb.query<Array<{ jpeg: Buffer; sha256: string }>>('SELECT jpeg, sha256 FROM violation_evidence');
    const central = new Set(rows.map((r) => r.event_id));
    const [dropped] = await tdb.query<Array<{ n: number }>>('SELECT COALESCE(SUM(evidence_dropped), 0) AS n FROM violations');
    const lost = produced.filter((v) => !central.has(v.id)).length;
    const bad = evidence.filter((e) => createHash('sha256').update(e.jpeg).digest('hex') !== e.sha256).length;
    console.log(
      `salvage: produced 107 (214 images), 64 KiB of random bytes at the middle of the ${size}-byte file; ` +
        `salvaged ${String(salvage!.salvaged)}, unreadable ${String(salvage!.unreadable)}, images salvaged ${String(salvage!.images_salvaged)}, images lost ${String(salvage!.images_lost)}; ` +
        `delivered ${central.size} records / ${evidence.length} images, duplicated ${rows.filter((r) => Number(r.n) > 1).length}, lost ${lost}, damaged images delivered ${bad}, left queued ${left}, evidence_dropped in central ${Number(dropped!.n)}`,
    );
    expect(readdirSync(dir).some((f) => f.startsWith('cam.sqlite.corrupt-'))).toBe(true);
    expect(lost).toBe(0);
    expect(bad).toBe(0);
    expect(left).toBe(0);
    expect(evidence.length).toBe(salvage!.images_salvaged);
    expect(evidence.length).toBeLessThan(214);
    expect(Number(dropped!.n)).toBeLessThanOrEqual(Number(salvage!.images_lost));
  });

  it('`queue salvage FILE` through the real CLI reads a damaged file into the camera\'s queue, only reading the file, and a second run adds nothing', async () => {
    const damaged = join(dir, 'old.sqlite');
    const produced = Array.from({ length: 60 }, () => makeViolation({ evidenceBytes: 20_000, kinds: ['frame', 'plate'] }));
    const q = Queue.open({ file: damaged, maxBytes: 1e9, logger: silentLogger(), reserveBytes: 0 });
    for (const v of produced) q.enqueue(v);
    q.close();
    const size = statSync(damaged).size;
    const fd = openSync(damaged, 'r+');
    writeSync(fd, randomBytes(64 * 1024), 0, 64 * 1024, Math.floor(size / 2 / 4096) * 4096);
    closeSync(fd);
    const before = createHash('sha256').update(readFileSync(damaged)).digest('hex');

    const raw = exampleConfig();
    raw.queue.state_dir = join(dir, 'state-cli');
    raw.operate.log_file = null;
    const config = writeConfig(raw);
    const first = await runCli(['queue', 'salvage', damaged, '--config', config, '--json']);
    expect(first.code, first.stderr).toBe(0);
    const c = JSON.parse(first.stdout) as SalvageCounts;
    const again = await runCli(['queue', 'salvage', damaged, '--config', config, '--json']);
    const c2 = JSON.parse(again.stdout) as SalvageCounts;
    const stats = await runCli(['queue', 'stats', '--config', config, '--json']);
    const pending = (JSON.parse(stats.stdout) as { pending: number }).pending;
    console.log(
      `queue salvage (CLI): 60 records / 120 images, 64 KiB of random bytes mid-file: salvaged ${c.salvaged}, unreadable ${c.unreadable}, ` +
        `images salvaged ${c.imagesSalvaged}, lost ${c.imagesLost}; second run: ${c2.alreadyThere} already there, ${c2.imagesSalvaged} images added; queue pending ${pending}`,
    );
    expect(c.salvaged + c.unreadable).toBeGreaterThanOrEqual(60);
    expect(c.imagesSalvaged + c.imagesLost).toBe(120);
    expect(c.imagesSalvaged).toBeLessThan(120);
    expect(pending).toBe(c.salvaged);
    expect(c2).toMatchObject({ salvaged: c.salvaged, alreadyThere: c.salvaged, imagesSalvaged: 0 });
    expect(createHash('sha256').update(readFileSync(damaged)).digest('hex')).toBe(before);
  });
});
