import { mkdtempSync, readdirSync, rmSync, writeFileSync, openSync, writeSync, closeSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Queue, type QueueOptions } from '../../src/queue/queue.js';
import { SCHEMA_VERSION } from '../../src/queue/schema.js';
import { isAgentError } from '../../src/shared/errors.js';
import { captureLogger } from './capture-logger.js';
import { makeViolation, makeViolations } from './make-violation.js';

let dir: string;
let now: number;
const clock = { now: () => now };

function open(extra: Partial<QueueOptions> = {}) {
  const { logger, lines } = captureLogger();
  const q = Queue.open({ file: join(dir, 'cam.sqlite'), maxBytes: 10_000_000, logger, clock, ...extra });
  return { q, lines };
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rsa-queue-'));
  now = 1_700_000_000_000;
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('queue outbox', () => {
  it('gives back an enqueued violation with its evidence byte for byte', () => {
    const { q } = open();
    const v = makeViolation({ evidenceBytes: 5000 });
    q.enqueue(v);
    const [r] = q.lease(10);
    expect(r?.id).toBe(v.id);
    expect(r?.violation.plateText).toBe(v.plateText);
    expect(r?.violation.occurredAt).toBe(v.occurredAt);
    expect(r?.violation.models).toEqual(v.models);
    expect(r?.violation.evidence.map((e) => e.sha256).sort()).toEqual(v.evidence.map((e) => e.sha256).sort());
    const frame = r!.violation.evidence.find((e) => e.kind === 'frame')!;
    expect(Buffer.compare(frame.jpeg, v.evidence.find((e) => e.kind === 'frame')!.jpeg)).toBe(0);
    q.close();
  });

  it('leases oldest first, within the row limit and the byte budget (at least one record)', () => {
    const { q } = open();
    const vs = makeViolations(5, { evidenceBytes: 1000 });
    for (const v of vs) q.enqueue(v);
    expect(q.lease(3).map((r) => r.id)).toEqual(vs.slice(0, 3).map((v) => v.id));
    expect(q.lease(10, 7000).map((r) => r.id)).toEqual(vs.slice(0, 2).map((v) => v.id));
    expect(q.lease(10, 1).map((r) => r.id)).toEqual([vs[0]!.id]);
    q.close();
  });

  it('keeps leased records until they are acked, then deletes them with their evidence', () => {
    const { q } = open();
    const vs = makeViolations(3);
    for (const v of vs) q.enqueue(v);
    const before = q.storedBytes();
    expect(q.lease(10)).toHaveLength(3);
    expect(q.lease(10)).toHaveLength(3); // a lease is not a delete
    q.ack([vs[0]!.id, vs[1]!.id]);
    expect(q.lease(10).map((r) => r.id)).toEqual([vs[2]!.id]);
    expect(q.storedBytes()).toBeLessThan(before);
    q.ack([vs[2]!.id]);
    expect(q.stats()).toMatchObject({ pending: 0, bytes: 0 });
    q.close();
  });

  it('stores attempts and the next attempt time, and leases only due records', () => {
    const { q } = open();
    const [a, b] = makeViolations(2);
    q.enqueue(a!);
    q.enqueue(b!);
    q.defer([a!.id], 'ECONNREFUSED', now + 5000);
    expect(q.lease(10).map((r) => r.id)).toEqual([b!.id]);
    now += 5000;
    const leased = q.lease(10);
    expect(leased.map((r) => r.id)).toEqual([a!.id, b!.id]);
    expect(leased[0]!.attempts).toBe(1);
    expect(q.list()[0]).toMatchObject({ id: a!.id, attempts: 1, lastError: 'ECONNREFUSED', nextAttemptAt: now });
    q.close();
  });

  it('moves a rejected record to the dead letters with its reason, and retry-dead brings it back', () => {
    const { q } = open();
    const [a, b] = makeViolations(2);
    q.enqueue(a!);
    q.enqueue(b!);
    q.reject(a!.id, 'ER_DATA_TOO_LONG: camera_location');
    expect(q.lease(10).map((r) => r.id)).toEqual([b!.id]);
    expect(q.dead()).toEqual([expect.objectContaining({ id: a!.id, reason: 'ER_DATA_TOO_LONG: camera_location', attempts: 1 })]);
    expect(q.stats()).toMatchObject({ pending: 1, dead: 1 });
    expect(q.retryDead()).toBe(1);
    const back = q.lease(10);
    expect(back.map((r) => r.id)).toEqual([a!.id, b!.id]); // keeps its original place
    expect(back[0]!.violation.evidence).toHaveLength(3);
    expect(q.stats()).toMatchObject({ pending: 2, dead: 0 });
    q.close();
  });

  it('survives a reopen with its records, attempts and byte count', () => {
    const first = open();
    const vs = makeViolations(4);
    for (const v of vs) first.q.enqueue(v);
    first.q.defer([vs[0]!.id], 'x', now);
    const bytes = first.q.storedBytes();
    first.q.close();
    const second = open();
    expect(second.q.storedBytes()).toBe(bytes);
    expect(second.q.lease(10).map((r) => [r.id, r.attempts])).toEqual(vs.map((v, i) => [v.id, i === 0 ? 1 : 0]));
    expect(second.q.stats().schemaVersion).toBe(SCHEMA_VERSION);
    second.q.close();
  });
});

describe('queue byte bound', () => {
  it('drops evidence of the oldest records first, keeps all metadata, and logs WARN with counts', () => {
    // each record: ~600 B metadata + 3 x 10 kB evidence
    const { q, lines } = open({ maxBytes: 100_000 });
    const vs = makeViolations(5, { evidenceBytes: 10_000 });
    for (const v of vs) q.enqueue(v);
    expect(q.storedBytes()).toBeLessThanOrEqual(100_000);
    const all = q.lease(100);
    expect(all.map((r) => r.id)).toEqual(vs.map((v) => v.id)); // no metadata lost
    expect(all[0]!.violation.evidence.length).toBeLessThan(3); // the oldest lost images
    expect(all[4]!.violation.evidence).toHaveLength(3); // the newest kept all
    expect(all[0]!.evidenceDropped).toBe(3 - all[0]!.violation.evidence.length);
    const warn = lines.find((l) => l.level === 'warn' && /byte bound/.test(l.msg));
    expect(warn).toMatchObject({ images_dropped: expect.any(Number), records_affected: 1 });
    expect(q.stats().evidenceDroppedTotal).toBeGreaterThan(0);
    q.close();
  });

  it("drops the new record's own images last, then refuses with RSA_QUEUE_FULL changing nothing", () => {
    const { q } = open({ maxBytes: 3000 });
    const big = makeViolation({ evidenceBytes: 1500 });
    expect(q.enqueue(big).imagesDropped).toBeGreaterThan(0);
    const [stored] = q.lease(1);
    expect(stored!.violation.evidence.length).toBeLessThan(3);
    // fill with metadata only until it no longer fits
    let refused: unknown;
    const accepted: string[] = [];
    for (let i = 0; i < 20 && !refused; i++) {
      const v = makeViolation({ evidenceBytes: 0 });
      try {
        q.enqueue(v);
        accepted.push(v.id);
      } catch (err) {
        refused = err;
      }
    }
    expect(isAgentError(refused, 'RSA_QUEUE_FULL')).toBe(true);
    const ids = q.lease(100).map((r) => r.id);
    expect(ids).toEqual([big.id, ...accepted]); // every accepted record's metadata is there
    q.close();
  });
});

describe('queue file faults', () => {
  it('moves a file that is not a database aside, logs RSA_QUEUE_CORRUPT and starts a new one', () => {
    writeFileSync(join(dir, 'cam.sqlite'), Buffer.alloc(8192, 0x5a));
    const { q, lines } = open();
    const aside = readdirSync(dir).filter((f) => f.startsWith('cam.sqlite.corrupt-'));
    expect(aside).toHaveLength(1);
    expect(lines.find((l) => l.level === 'error')).toMatchObject({ code: 'RSA_QUEUE_CORRUPT' });
    const v = makeViolation();
    q.enqueue(v);
    expect(q.lease(1)[0]?.id).toBe(v.id);
    q.close();
  });

  it('recovers from pages torn while running and keeps the violation in hand', () => {
    const first = open();
    for (const v of makeViolations(30, { evidenceBytes: 4000 })) first.q.enqueue(v);
    first.q.close(); // checkpoints the WAL into the main file
    const file = join(dir, 'cam.sqlite');
    const size = statSync(file).size;
    // tear: overwrite every page after the first one with garbage
    const fd = openSync(file, 'r+');
    for (let off = 4096; off < size; off += 4096) writeSync(fd, Buffer.alloc(512, 0xa5), 0, 512, off);
    closeSync(fd);
    const { q, lines } = open();
    const v = makeViolation();
    q.enqueue(v); // hits the damage, moves the file aside, stores v in a new file
    expect(q.lease(10).map((r) => r.id)).toEqual([v.id]);
    expect(lines.some((l) => l.level === 'error' && l.code === 'RSA_QUEUE_CORRUPT')).toBe(true);
    expect(readdirSync(dir).some((f) => f.startsWith('cam.sqlite.corrupt-'))).toBe(true);
    q.close();
  });

  it('fails an enqueue on a full file with RSA_QUEUE_FULL and keeps serving what it holds', () => {
    const { q } = open({ maxPageCount: 40 });
    const stored: string[] = [];
    let refused: unknown;
    for (let i = 0; i < 50 && !refused; i++) {
      const v = makeViolation({ evidenceBytes: 4000 });
      try {
        q.enqueue(v);
        stored.push(v.id);
      } catch (err) {
        refused = err;
      }
    }
    expect(isAgentError(refused, 'RSA_QUEUE_FULL')).toBe(true);
    expect((refused as Error).message).toMatch(/disk full/);
    expect(q.lease(100).map((r) => r.id)).toEqual(stored);
    q.ack(stored.slice(0, 5));
    q.enqueue(makeViolation({ evidenceBytes: 100 })); // room again after acks
    expect(q.stats().pending).toBe(stored.length - 5 + 1);
    q.close();
  });
});
