// The flush stage as the composition root sees it: the loop plus the camera heartbeat,
// built from the central config. MySQL down at start is a WARN; nothing here throws for it.
import type { CentralConfig } from '../config/schema.js';
import type { Queue } from '../queue/queue.js';
import { systemClock, type Clock } from '../shared/clock.js';
import { describeError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { sleep } from './backoff.js';
import { CentralDb, centralDbOptions } from './central-db.js';
import { classify } from './classify.js';
import { FlushLoop, type DrainResult, type FlushCounters, type FlushQueue } from './loop.js';
import { MysqlSink, type Sink } from './sink.js';

/** What the rest of the agent reports in the heartbeat (the composition root's callback). */
export interface CameraStats {
  frames: number;
  violations: number;
  /** Execution provider really in use, e.g. `cpu`, `webgpu`. */
  provider: string;
}

/** The queue as the flusher uses it: the loop's needs plus counts for the heartbeat. */
export type FlusherQueue = FlushQueue & Pick<Queue, 'stats'>;

export interface FlusherOptions {
  central: CentralConfig;
  password: string | undefined;
  queue: FlusherQueue;
  logger: Logger;
  cameraId: string;
  cameraLocation: string;
  agentVersion: string;
  stats: () => CameraStats;
  clock?: Clock;
  /** Replaces the MySQL sink (tests). */
  sink?: Sink;
}

export class Flusher {
  readonly loop: FlushLoop;
  private readonly o: FlusherOptions;
  private readonly db: CentralDb | null;
  private readonly sink: Sink;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly startedAt: number;

  constructor(options: FlusherOptions) {
    this.o = options;
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger.child({ stage: 'flush' });
    this.startedAt = this.clock.now();
    this.db = options.sink
      ? null
      : new CentralDb({
          ...centralDbOptions(options.central, options.password),
          onFailover: (from, to, err) =>
            this.logger.warn(
              { code: 'RSA_CENTRAL_UNREACHABLE', error_type: classify(err).code, from, to, err: describeError(err) },
              `central node ${from} failed (${classify(err).code}); delivering to ${to}`,
            ),
        });
    this.sink = options.sink ?? new MysqlSink(this.db!);
    const c = options.central;
    this.loop = new FlushLoop({
      queue: options.queue,
      sink: this.sink,
      logger: this.logger,
      batchSize: c.batch_size,
      batchBytes: c.batch_max_bytes,
      idleMs: c.flush_interval_ms,
      retry: c.retry,
      clock: this.clock,
    });
  }

  get counters(): Readonly<FlushCounters> {
    return this.loop.counters;
  }

  /** host:port of the central node delivered to (null with a replaced sink). */
  get centralNode(): string | null {
    return this.db?.node ?? null;
  }

  /** How many times delivery moved to another central node. */
  get centralFailovers(): number {
    return this.db?.failovers ?? 0;
  }

  /** Tells the loop a record was queued (ends its idle pause). */
  wake(): void {
    this.loop.wake();
  }

  /** Runs the flush loop and the heartbeat until the signal aborts. */
  async start(signal: AbortSignal): Promise<void> {
    await Promise.all([this.loop.run(signal), this.heartbeatLoop(signal)]);
  }

  /** Shutdown: after `start` returned, deliver what fits before the deadline (default central.drain_deadline_s). */
  drain(deadlineMs = this.o.central.drain_deadline_s * 1000): Promise<DrainResult> {
    return this.loop.drain(deadlineMs);
  }

  /** Upserts the camera's row once; false (logged) when it could not. */
  async heartbeat(signal: AbortSignal): Promise<boolean> {
    let row;
    try {
      const s = this.o.stats();
      const q = this.o.queue.stats();
      row = {
        cameraId: this.o.cameraId,
        cameraLocation: this.o.cameraLocation,
        lastSeenAt: this.clock.now(),
        startedAt: this.startedAt,
        frames: s.frames,
        violations: s.violations,
        queueDepth: q.pending,
        deadLetters: q.dead,
        provider: s.provider,
        agentVersion: this.o.agentVersion,
      };
    } catch (err) {
      this.logger.error({ err: describeError(err) }, 'heartbeat: could not collect the stats');
      return false;
    }
    try {
      await this.sink.heartbeat(row, signal);
      this.loop.counters.centralReachable = true;
      return true;
    } catch (err) {
      if (signal.aborted) return false;
      const c = classify(err);
      if (c.kind === 'transient') this.loop.counters.centralReachable = false;
      (c.kind === 'transient' ? this.logger.warn : this.logger.error).call(
        this.logger,
        { code: 'RSA_CENTRAL_UNREACHABLE', error_type: c.code, err: describeError(err) },
        c.kind === 'transient'
          ? 'heartbeat: central MySQL unavailable; violations stay queued and are delivered when it is back'
          : 'heartbeat failed (run `roadside-agent db migrate` and check the grants in docs/central.md)',
      );
      return false;
    }
  }

  private async heartbeatLoop(signal: AbortSignal): Promise<void> {
    const every = this.o.central.heartbeat_interval_s * 1000;
    while (!signal.aborted) {
      await this.heartbeat(signal);
      await sleep(every, signal).catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    await this.db?.close();
  }
}

export function createFlusher(options: FlusherOptions): Flusher {
  return new Flusher(options);
}
