// What the flush loop (loop.ts) needs, and what it reports: the queue it leases from, its
// options, its counters (read by /healthz, /metrics and the heartbeat row), a drain's result.
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { LeasedRecord } from '../queue/queue.js';
import type { BackoffPolicy } from './backoff.js';
import type { Sink } from './sink.js';

/** What the loop needs of the queue (the SQLite Queue, or a fake in tests). */
export interface FlushQueue {
  /** Records due by `dueBy` (epoch ms; default now). */
  lease(limit: number, maxBytes?: number, dueBy?: number): LeasedRecord[];
  ack(ids: readonly string[]): void;
  defer(ids: readonly string[], error: string, nextAttemptAt: number): void;
  reject(id: string, reason: string): void;
}

export interface FlushLoopOptions {
  queue: FlushQueue;
  sink: Sink;
  logger: Logger;
  /** Violations per transaction (central.batch_size). */
  batchSize: number;
  /** About this many stored bytes per transaction (central.batch_max_bytes). */
  batchBytes: number;
  /** Pause when nothing is due (central.flush_interval_ms). */
  idleMs: number;
  retry: BackoffPolicy;
  clock?: Clock;
  random?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface FlushCounters {
  delivered: number;
  rejected: number;
  deferred: number;
  failedAttempts: number;
  batches: number;
  /** Evidence images withheld because their bytes no longer matched their sha256. */
  evidenceDamaged: number;
  /** Epoch ms of the last successful commit, null before the first. */
  lastDeliveryAt: number | null;
  /** Whether the last contact with central MySQL worked; null before the first. */
  centralReachable: boolean | null;
  /**
   * A failure that will not pass by itself (not transient: bad credentials, a missing table or
   * column, a refused grant), by what met it; each is cleared by the next success of that kind.
   */
  failing: { delivery: CentralFailure | null; heartbeat: CentralFailure | null };
}

export interface CentralFailure {
  /** The error's code (classify.ts), e.g. ER_ACCESS_DENIED_ERROR, ER_NO_SUCH_TABLE. */
  code: string;
  message: string;
  /** Epoch ms of the first failure in a row. */
  since: number;
}

export interface DrainResult {
  delivered: number;
  /** True when the deadline (not an empty queue) ended it. */
  timedOut: boolean;
}
