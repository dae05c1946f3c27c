import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FlushLoop } from '../../src/flush/loop.js';
import type { HeartbeatRow, Sink } from '../../src/flush/sink.js';
import { Queue, type LeasedRecord } from '../../src/queue/queue.js';
import { captureLogger, type LogLine } from '../queue/capture-logger.js';
import { makeViolations } from '../queue/make-violation.js';

const policy = { initial_s: 1, max_s: 8, factor: 2, jitter: 0 };
const coded = (code: string) => Object.assign(new Error(code.toLowerCase()), { code });

/** A sink whose answer per call is scripted; records what it was given. */
class FakeSink implements Sink {
  calls: string[][] = [];
  committed = new Set<string>();
  constructor(private readonly answer: (ids: string[], call: number) => Error | null) {}
  deliver(records: readonly LeasedRecord[]): Promise<void> {
    const ids = records.map((r) => r.id);
    this.calls.push(ids);
    const e = this.answer(ids, this.calls.length);
    if (e) return Promise.reject(e);
    for (const id of ids) this.committed.add(id);
    return Promise.resolve();
  }
  heartbeat(_row: HeartbeatRow): Promise<void> {
    return Promise.resolve();
  }
}

let dir: string;
let queue: Queue;
let now: number;
let slept: number[];
let lines: LogLine[];

function loop(sink: Sink, batchSize = 10) {
  const cap = captureLogger();
  lines = cap.lines;
  return new FlushLoop({
    queue,
    sink,
    logger: cap.logger,
    batchSize,
    batchBytes: 1e9,
    idleMs: 100,
    retry: policy,
    clock: { now: () => now },
    random: () => 0.5,
    sleep: (ms, signal) => {
      slept.push(ms);
      now += ms;
      return signal?.aborted ? Promise.reject(signal.reason as Error) : Promise.resolve();
    },
  });
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rsa-loop-'));
  now = 1_700_000_000_000;
  slept = [];
  const cap = captureLogger();
  queue = Queue.open({ file: join(dir, 'q.sqlite'), maxBytes: 1e9, logger: cap.logger, clock: { now: () => now }, reserveBytes: 0 });
});
afterEach(() => {
  queue.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('flush loop outcomes', () => {
  it('acks a batch only after the sink committed it', async () => {
    const vs = makeViolations(3);
    for (const v of vs) queue.enqueue(v);
    let pendingDuringDeliver = -1;
    const sink = new FakeSink(() => {
      pendingDuringDeliver = queue.stats().pending;
      return null;
    });
    expect(await loop(sink).flushOnce(new AbortController().signal)).toBe(3);
    expect(pendingDuringDeliver).toBe(3);
    expect(queue.stats().pending).toBe(0);
    expect([...sink.committed].sort()).toEqual(vs.map((v) => v.id).sort());
  });

  it('retries a transient failure in place with growing, capped delays, logging and storing each attempt', async () => {
    const vs = makeViolations(2);
    for (const v of vs) queue.enqueue(v);
    const sink = new FakeSink((_ids, call) => (call <= 5 ? coded(call % 2 ? 'ECONNREFUSED' : 'PROTOCOL_CONNECTION_LOST') : null));
    let attemptsSeen = 0;
    const origDefer = queue.defer.bind(queue);
    queue.defer = (ids, e, next) => {
      origDefer(ids, e, next);
      attemptsSeen = queue.list()[0]!.attempts;
    };
    const l = loop(sink);
    await l.flushOnce(new AbortController().signal);
    expect(sink.calls).toHaveLength(6);
    expect(sink.calls.every((c) => c.join() === sink.calls[0]!.join())).toBe(true); // the same batch
    expect(slept).toEqual([1000, 2000, 4000, 8000, 8000]);
    expect(attemptsSeen).toBe(5);
    expect(lines.filter((x) => x.level === 'warn' && x.code === 'RSA_CENTRAL_UNREACHABLE')).toHaveLength(5);
    expect(queue.stats().pending).toBe(0);
    expect(l.counters).toMatchObject({ delivered: 2, failedAttempts: 5, centralReachable: true });
  });

  it('moves only the rejected record to the dead letters and delivers its batch-mates', async () => {
    const vs = makeViolations(10);
    for (const v of vs) queue.enqueue(v);
    const bad = vs[6]!.id;
    const sink = new FakeSink((ids) => (ids.includes(bad) ? coded('ER_DATA_TOO_LONG') : null));
    const l = loop(sink);
    await l.flushOnce(new AbortController().signal);
    expect(queue.dead().map((d) => d.id)).toEqual([bad]);
    expect(queue.dead()[0]!.reason).toMatch(/^ER_DATA_TOO_LONG/);
    expect(sink.committed.size).toBe(9);
    expect(sink.committed.has(bad)).toBe(false);
    expect(queue.stats()).toMatchObject({ pending: 0, dead: 1 });
    expect(sink.calls.length).toBeLessThanOrEqual(1 + 2 * Math.ceil(Math.log2(10)) + 1); // bisection, not one by one
    expect(lines.filter((x) => x.level === 'error' && x.code === 'RSA_CENTRAL_REJECTED')).toHaveLength(1);
  });

  it('keeps records queued on an unknown error, defers them, logs ERROR, and goes on with others', async () => {
    const [a, b] = makeViolations(2);
    queue.enqueue(a!);
    queue.enqueue(b!);
    const sink = new FakeSink((ids) => (ids.includes(a!.id) ? coded('ER_NO_SUCH_TABLE') : null));
    const l = loop(sink, 1);
    await l.flushOnce(new AbortController().signal);
    expect(queue.stats()).toMatchObject({ pending: 2, dead: 0 });
    expect(queue.list()[0]).toMatchObject({ id: a!.id, attempts: 1, nextAttemptAt: now + 1000 });
    expect(lines.some((x) => x.level === 'error' && x.error_type === 'ER_NO_SUCH_TABLE')).toBe(true);
    await l.flushOnce(new AbortController().signal); // a is not due: b goes
    expect([...sink.committed]).toEqual([b!.id]);
    expect(queue.stats().pending).toBe(1);
  });

  it('stops retrying at once when the signal aborts; the batch stays queued', async () => {
    for (const v of makeViolations(3)) queue.enqueue(v);
    const ac = new AbortController();
    const sink = new FakeSink((_ids, call) => {
      if (call === 3) ac.abort(new Error('shutdown'));
      return coded('ETIMEDOUT');
    });
    await expect(loop(sink).flushOnce(ac.signal)).rejects.toThrow('shutdown');
    expect(sink.calls).toHaveLength(3);
    expect(queue.stats().pending).toBe(3);
  });

  it('run idles while empty and returns when aborted', async () => {
    const ac = new AbortController();
    const sink = new FakeSink(() => null);
    const l = loop(sink);
    let rounds = 0;
    const origLease = queue.lease.bind(queue);
    queue.lease = (n, b) => {
      if (++rounds === 3) ac.abort();
      return origLease(n, b);
    };
    await l.run(ac.signal);
    expect(rounds).toBe(3);
    expect(slept.every((ms) => ms === 100)).toBe(true);
    expect(sink.calls).toHaveLength(0);
  });

  it('drain delivers everything due, then reports it did not time out', async () => {
    for (const v of makeViolations(25)) queue.enqueue(v);
    const sink = new FakeSink(() => null);
    expect(await loop(sink, 10).drain(10_000)).toEqual({ delivered: 25, timedOut: false });
    expect(sink.calls.map((c) => c.length)).toEqual([10, 10, 5]);
  });

  it('drain gives up at its deadline and leaves the rest queued', async () => {
    for (const v of makeViolations(5)) queue.enqueue(v);
    const sink: Sink = { deliver: () => new Promise(() => undefined), heartbeat: () => Promise.resolve() };
    const result = await loop(sink).drain(50);
    expect(result).toEqual({ delivered: 0, timedOut: true });
    expect(queue.stats().pending).toBe(5);
  });

  it('drain lets the batch in flight at the end of its deadline finish instead of aborting it mid-COMMIT, and starts no other', async () => {
    for (const v of makeViolations(20)) queue.enqueue(v);
    // Each batch takes 40 ms; the deadline is 100 ms, so no batch starts after 50 ms.
    let cutOff = 0;
    const sink: Sink = {
      deliver: (_records, signal) =>
        new Promise((resolve) => {
          let done = false;
          setTimeout(() => {
            done = true;
            resolve();
          }, 40);
          signal.addEventListener('abort', () => {
            if (!done) cutOff++;
          });
        }),
      heartbeat: () => Promise.resolve(),
    };
    const result = await loop(sink, 5).drain(100);
    expect(cutOff).toBe(0);
    expect(result.timedOut).toBe(true);
    expect(result.delivered).toBe(10);
    expect(queue.stats().pending).toBe(10);
  });
});

describe('waking the idle loop', () => {
  it('delivers a record queued during the idle pause at once, not at the next poll', async () => {
    const sink = new FakeSink(() => null);
    const l = new FlushLoop({
      queue,
      sink,
      logger: captureLogger().logger,
      batchSize: 10,
      batchBytes: 1e9,
      idleMs: 60_000, // a poll a minute: only wake() can explain a delivery within the test
      retry: policy,
    });
    const stop = new AbortController();
    const running = l.run(stop.signal);
    await new Promise((r) => setTimeout(r, 50)); // the loop found nothing and is idle now
    const [v] = makeViolations(1);
    queue.enqueue(v!);
    l.wake();
    for (let i = 0; i < 100 && sink.committed.size === 0; i++) await new Promise((r) => setTimeout(r, 10));
    stop.abort();
    await running;
    expect([...sink.committed]).toEqual([v!.id]);
  });
});

describe('central coming back', () => {
  it('sends a batch waiting out a long retry delay the moment central is seen back, and logs the outage with its length', async () => {
    for (const v of makeViolations(2)) queue.enqueue(v);
    const sink = new FakeSink((_ids, call) => (call === 1 ? coded('ECONNREFUSED') : null));
    const cap = captureLogger();
    const l = new FlushLoop({
      queue,
      sink,
      logger: cap.logger,
      batchSize: 10,
      batchBytes: 1e9,
      idleMs: 100,
      retry: { initial_s: 600, max_s: 600, factor: 2, jitter: 0 }, // only centralBack() can explain a retry within the test
    });
    const started = Date.now();
    const flushing = l.flushOnce(new AbortController().signal);
    await new Promise((r) => setTimeout(r, 200));
    expect(sink.calls).toHaveLength(1);
    l.centralBack(); // what a successful heartbeat does
    await flushing;
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(sink.committed.size).toBe(2);
    const back = cap.lines.find((x) => /reachable again after/.test(x.msg));
    expect(back).toBeDefined();
    expect(back!.outage_s as number).toBeGreaterThanOrEqual(0.1);
  });

  it('drain delivers records still waiting out a retry delay', async () => {
    const vs = makeViolations(3);
    for (const v of vs) queue.enqueue(v);
    queue.defer(vs.map((v) => v.id), 'ECONNREFUSED: earlier outage', now + 3_600_000);
    const sink = new FakeSink(() => null);
    expect(await loop(sink).drain(10_000)).toEqual({ delivered: 3, timedOut: false });
    expect(queue.stats().pending).toBe(0);
  });

  it('drain stops when a batch settles nothing (an unknown error) instead of trying it again and again', async () => {
    for (const v of makeViolations(2)) queue.enqueue(v);
    const sink = new FakeSink(() => coded('ER_NO_SUCH_TABLE'));
    expect(await loop(sink).drain(10_000)).toEqual({ delivered: 0, timedOut: false });
    expect(sink.calls).toHaveLength(1);
    expect(queue.stats().pending).toBe(2);
  });
});
