// The hold in front of the queue, against a fake queue that refuses while `full` is set.
import { describe, expect, it } from 'vitest';
import { AgentError } from '../../src/shared/errors.js';
import { StoreHold, type StoreTarget } from '../../src/queue/store-hold.js';
import type { Violation } from '../../src/shared/types.js';
import { captureLogger } from './capture-logger.js';
import { makeViolation } from './make-violation.js';

function fakeQueue(): StoreTarget & { full: boolean; stored: Array<{ v: Violation; evidenceDropped: number }> } {
  const q = {
    full: false,
    stored: [] as Array<{ v: Violation; evidenceDropped: number }>,
    enqueue(v: Violation, options: { evidenceDropped?: number } = {}) {
      if (q.full) throw new AgentError('RSA_QUEUE_FULL', 'disk full');
      q.stored.push({ v, evidenceDropped: options.evidenceDropped ?? 0 });
      return { imagesDropped: 0 };
    },
  };
  return q;
}

describe('StoreHold', () => {
  it('stores at once while the queue takes records', () => {
    const q = fakeQueue();
    const hold = new StoreHold(q, { maxRecords: 10, maxBytes: 1e6 }, captureLogger().logger);
    expect(hold.store(makeViolation()).outcome).toBe('stored');
    expect(hold.size).toBe(0);
    expect(hold.counters).toMatchObject({ stored: 1, held: 0, lost: 0 });
  });

  it('keeps the order: while anything is held a new record waits behind it, and all are stored oldest first', () => {
    const q = fakeQueue();
    const log = captureLogger();
    const hold = new StoreHold(q, { maxRecords: 10, maxBytes: 1e6 }, log.logger);
    q.full = true;
    const vs = [makeViolation(), makeViolation(), makeViolation()];
    for (const v of vs) expect(hold.store(v).outcome).toBe('held');
    expect(hold.reason).toMatch(/disk full/);
    expect(log.lines.filter((l) => l.level === 'error')).toHaveLength(1);
    q.full = false;
    const last = makeViolation();
    expect(hold.store(last).outcome).toBe('stored');
    expect(q.stored.map((s) => s.v.id)).toEqual([...vs, last].map((v) => v.id));
    expect(hold.counters).toMatchObject({ held: 4, storedLater: 4, lost: 0 });
    expect(hold.reason).toBeNull();
  });

  it('over its byte bound sheds the evidence of the oldest held records first and passes the count to the queue', () => {
    const q = fakeQueue();
    const hold = new StoreHold(q, { maxRecords: 10, maxBytes: 5000 }, captureLogger().logger);
    q.full = true;
    const [a, b] = [makeViolation({ evidenceBytes: 1000 }), makeViolation({ evidenceBytes: 1000 })];
    hold.store(a);
    hold.store(b);
    expect(hold.heldBytes).toBeLessThanOrEqual(5000);
    expect(hold.counters.evidenceShed).toBeGreaterThan(0);
    q.full = false;
    hold.retry();
    const [sa, sb] = q.stored;
    expect(sa!.v.evidence.length + sa!.evidenceDropped).toBe(3);
    expect(sa!.evidenceDropped).toBeGreaterThan(0);
    expect(sb!.evidenceDropped).toBeLessThanOrEqual(sa!.evidenceDropped);
    expect(sb!.v.evidence).toHaveLength(3 - sb!.evidenceDropped);
  });

  it('gives up the oldest only beyond max_records, and what is left at shutdown, each at ERROR with its metadata', () => {
    const q = fakeQueue();
    const log = captureLogger();
    const hold = new StoreHold(q, { maxRecords: 2, maxBytes: 1e6 }, log.logger);
    q.full = true;
    const vs = [makeViolation(), makeViolation(), makeViolation()];
    for (const v of vs) hold.store(v);
    expect(hold.size).toBe(2);
    expect(hold.giveUpAll('shutdown')).toBe(2);
    const lost = log.lines.filter((l) => l.code === 'RSA_VIOLATION_LOST');
    expect(lost.map((l) => (l.violation as { id: string }).id)).toEqual(vs.map((v) => v.id));
    expect(lost.every((l) => l.level === 'error')).toBe(true);
    expect(hold.counters.lost).toBe(3);
  });
});
