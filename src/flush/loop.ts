// The flush loop: lease → insert → commit → ack, forever, one batch at a time.
//
// Invariants
// - A record is acked (deleted on the box) only after `sink.deliver` resolved, i.e. after the
//   central COMMIT returned. Anything else leaves it queued; re-delivery is idempotent.
// - Outcomes (classify.ts): transient → the same batch is retried forever (p-retry) with
//   exponential backoff, jitter and a cap, each attempt logged and stored on the records
//   (attempts, next_attempt_at); permanent → the batch is bisected until the offending record
//   is alone, and only that record goes to the dead letters; its batch-mates are delivered;
//   unknown → the records stay queued, deferred by the backoff, and an ERROR is logged.
// - The signal passed to `run` stops everything at once, the wait between retries and the
//   query in flight included (its connection is destroyed; its records stay queued).
// - `drain(deadline)` is for shutdown after `run` returned: it delivers what it can before the
//   deadline, starting no batch in its last part (half of it, at most 2 s) so that the deadline
//   seldom cuts a batch off in its COMMIT; the rest stays queued for the next start.
import pRetry from 'p-retry';
import { systemClock, type Clock } from '../shared/clock.js';
import { describeError } from '../shared/errors.js';
import type { LeasedRecord } from '../queue/queue.js';
import { backoffDelay, sleep, untilAborted } from './backoff.js';
import { classify, type Classification } from './classify.js';
import { verifyEvidence } from './verify-evidence.js';
import type { DrainResult, FlushCounters, FlushLoopOptions } from './loop-contract.js';

export type { CentralFailure, DrainResult, FlushCounters, FlushLoopOptions, FlushQueue } from './loop-contract.js';

/** Of a drain's deadline, the end kept for the batch in flight (at most half of it). */
const DRAIN_COMMIT_RESERVE_MS = 2000;

type Attempt = { ok: true } | { ok: false; err: unknown; class: Classification };

export class FlushLoop {
  private idle: AbortController | null = null;
  /** Ends the wait between retries of a batch: central was seen back (heartbeat). */
  private retryWait: AbortController | null = null;
  /** Epoch ms of the first failure of the current outage; null while reachable. */
  private outageSince: number | null = null;
  readonly counters: FlushCounters = {
    delivered: 0,
    rejected: 0,
    deferred: 0,
    failedAttempts: 0,
    batches: 0,
    evidenceDamaged: 0,
    lastDeliveryAt: null,
    centralReachable: null,
    failing: { delivery: null, heartbeat: null },
  };
  private readonly o: FlushLoopOptions;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;

  constructor(options: FlushLoopOptions) {
    this.o = options;
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.sleep = options.sleep ?? sleep;
  }

  /** Runs until the signal aborts; never throws for delivery errors. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      let leased = 0;
      try {
        leased = await this.flushOnce(signal);
      } catch (err) {
        if (signal.aborted) break;
        // the queue itself failed (disk full on ack, I/O error): keep going after a pause
        this.o.logger.error({ err: describeError(err), stage: 'flush' }, 'flush step failed; records stay queued');
      }
      if (leased === 0 && !signal.aborted) {
        // Idle until the next poll, or until `wake()` says a record was queued.
        const idle = new AbortController();
        this.idle = idle;
        await this.sleep(this.o.idleMs, AbortSignal.any([signal, idle.signal])).catch(() => undefined);
        this.idle = null;
      }
    }
  }

  /** A record was queued: end the idle pause now, so delivery does not wait for the next poll. */
  wake(): void {
    this.idle?.abort();
  }

  /**
   * Central answered (a heartbeat or a delivery): ends the wait before the next retry, so a
   * batch goes the moment the server is back, and logs the end of an outage with its length.
   */
  centralBack(): void {
    this.retryWait?.abort();
    if (this.outageSince !== null) {
      const outageMs = this.clock.now() - this.outageSince;
      this.o.logger.info({ stage: 'flush', outage_s: Math.round(outageMs / 100) / 10 }, `central MySQL reachable again after ${Math.round(outageMs / 1000)} s`);
    }
    this.outageSince = null;
    this.counters.centralReachable = true;
  }

  /** Records (or, with null, clears) a failure that is not transient. */
  noteFailure(what: 'delivery' | 'heartbeat', failure: { code: string; err: unknown } | null): void {
    if (failure === null) {
      this.counters.failing[what] = null;
      return;
    }
    const since = this.counters.failing[what]?.since ?? this.clock.now();
    this.counters.failing[what] = { code: failure.code, message: describeError(failure.err).slice(0, 300), since };
  }

  /** A transient failure to reach central (a delivery attempt or a heartbeat). */
  centralAway(): void {
    this.outageSince ??= this.clock.now();
    this.counters.centralReachable = false;
  }

  /** Leases one batch and settles every record in it; returns how many were leased. */
  async flushOnce(signal: AbortSignal, dueBy?: number): Promise<number> {
    const leased = this.o.queue.lease(this.o.batchSize, this.o.batchBytes, dueBy);
    if (leased.length === 0) return 0;
    const { records: batch, damaged } = verifyEvidence(leased, this.o.logger);
    this.counters.evidenceDamaged += damaged;
    this.counters.batches++;
    await this.settle(batch, signal);
    return batch.length;
  }

  /**
   * Delivers until the queue is empty, a batch settles nothing, or the deadline passes; the
   * rest stays queued. Records still waiting out a retry delay are included.
   */
  async drain(deadlineMs: number): Promise<DrainResult> {
    const total = Math.max(1, deadlineMs);
    const signal = AbortSignal.timeout(total);
    // No batch starts in the last part of the deadline, so the deadline seldom aborts one in its
    // COMMIT (which would leave it committed centrally and still queued here, acked only by the
    // idempotent re-delivery at the next start).
    const noNewBatch = AbortSignal.timeout(Math.max(1, total - Math.min(DRAIN_COMMIT_RESERVE_MS, total / 2)));
    const before = this.counters.delivered;
    const settled = (): number => this.counters.delivered + this.counters.rejected;
    try {
      for (;;) {
        const was = settled();
        if (noNewBatch.aborted || (await this.flushOnce(signal, Number.MAX_SAFE_INTEGER)) === 0 || settled() === was) break;
      }
    } catch (err) {
      if (!signal.aborted) this.o.logger.error({ err: describeError(err), stage: 'flush' }, 'drain step failed; records stay queued');
    }
    const delivered = this.counters.delivered - before;
    const timedOut = noNewBatch.aborted;
    if (timedOut) this.o.logger.warn({ delivered, deadline_ms: deadlineMs }, 'drain deadline reached; the rest stays queued');
    return { delivered, timedOut };
  }

  private async settle(records: readonly LeasedRecord[], signal: AbortSignal): Promise<void> {
    const result = await this.deliverRetrying(records, signal);
    const ids = records.map((r) => r.id);
    if (result.ok) {
      this.noteFailure('delivery', null);
      this.o.queue.ack(ids);
      this.counters.delivered += records.length;
      this.counters.lastDeliveryAt = this.clock.now();
      return;
    }
    const reason = `${result.class.code}: ${describeError(result.err)}`;
    if (result.class.kind === 'permanent') {
      if (records.length === 1) {
        const r = records[0]!;
        this.o.queue.reject(r.id, reason);
        this.counters.rejected++;
        this.o.logger.error(
          { code: 'RSA_CENTRAL_REJECTED', error_type: result.class.code, stage: 'flush', violation_id: r.id, reason },
          'central server rejected a violation permanently; moved to the dead letters (roadside-agent queue dead)',
        );
        return;
      }
      // Bisect: one bad record must not hold back (or take down) its batch-mates.
      const mid = Math.ceil(records.length / 2);
      await this.settle(records.slice(0, mid), signal);
      await this.settle(records.slice(mid), signal);
      return;
    }
    // unknown: keep queued, try again later (other records go first meanwhile)
    this.noteFailure('delivery', { code: result.class.code, err: result.err });
    const attempts = Math.max(...records.map((r) => r.attempts)) + 1;
    const delay = backoffDelay(attempts, this.o.retry, this.random);
    this.o.queue.defer(ids, reason, this.clock.now() + delay);
    this.counters.deferred += records.length;
    this.o.logger.error(
      { error_type: result.class.code, stage: 'flush', records: records.length, retry_in_ms: delay, err: describeError(result.err) },
      'delivery failed with an unexpected error; records stay queued and will be retried',
    );
  }

  /** One batch, retried in place for as long as its errors are transient. */
  private async deliverRetrying(records: readonly LeasedRecord[], signal: AbortSignal): Promise<Attempt> {
    const ids = records.map((r) => r.id);
    try {
      await pRetry(() => untilAborted(this.o.sink.deliver(records, signal), signal), {
        retries: Number.POSITIVE_INFINITY,
        minTimeout: 0, // the wait is ours (onFailedAttempt): the config's jitter is ±, p-retry's is ×1..2
        signal,
        shouldRetry: ({ error }) => classify(error).kind === 'transient',
        onFailedAttempt: async ({ error, attemptNumber }) => {
          const c = classify(error);
          if (c.kind !== 'transient') return;
          this.counters.failedAttempts++;
          this.centralAway();
          const delay = backoffDelay(attemptNumber, this.o.retry, this.random);
          this.o.logger.warn(
            { code: 'RSA_CENTRAL_UNREACHABLE', error_type: c.code, stage: 'flush', attempt: attemptNumber, retry_in_ms: delay, records: records.length, err: describeError(error) },
            `central MySQL unavailable (${c.code}); batch stays queued, retry ${attemptNumber + 1} in ${delay} ms`,
          );
          try {
            this.o.queue.defer(ids, `${c.code}: ${describeError(error)}`, this.clock.now() + delay);
          } catch (err) {
            this.o.logger.error({ err: describeError(err), stage: 'flush' }, 'could not record the failed attempt in the queue');
          }
          const wait = new AbortController();
          this.retryWait = wait;
          try {
            await this.sleep(delay, AbortSignal.any([signal, wait.signal])).catch((err: unknown) => {
              if (signal.aborted) throw err;
            });
          } finally {
            this.retryWait = null;
          }
        },
      });
      this.centralBack();
      return { ok: true };
    } catch (err) {
      if (signal.aborted) throw signal.reason ?? err;
      const c = classify(err);
      if (c.kind === 'permanent') this.centralBack();
      return { ok: false, err, class: c };
    }
  }
}
