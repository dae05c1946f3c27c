// The only things the cluster drill adds to the real flush path: a timing wrapper around the
// sink (batch latency, and when each batch committed, for the failover time) and a logger that
// counts the classifier's codes of failed attempts. Plus the two statistics taken of them.
import { Writable } from 'node:stream';
import pino from 'pino';
import type { HeartbeatRow, Sink } from '../src/flush/sink.js';
import type { LeasedRecord } from '../src/queue/queue.js';
import type { Logger } from '../src/shared/logger.js';

/** Pushes each delivery's latency (ms) to `latencies` and its commit time (epoch ms) to `commits`. */
export class TimedSink implements Sink {
  constructor(
    private readonly inner: Sink,
    private readonly commits: number[],
    private readonly latencies: number[],
  ) {}
  async deliver(records: readonly LeasedRecord[], signal: AbortSignal): Promise<void> {
    const t = performance.now();
    await this.inner.deliver(records, signal);
    this.latencies.push(performance.now() - t);
    this.commits.push(Date.now());
  }
  heartbeat(row: HeartbeatRow, signal: AbortSignal): Promise<void> {
    return this.inner.heartbeat(row, signal);
  }
}

/** A WARN-level logger that counts the classifier's codes of failed attempts. */
export function countingLogger(errors: Record<string, number>): Logger {
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split('\n')) {
        if (!l) continue;
        const line = JSON.parse(l) as { msg?: string; error_type?: string; attempt?: number };
        if (line.error_type && line.attempt !== undefined) errors[line.error_type] = (errors[line.error_type] ?? 0) + 1;
      }
      cb();
    },
  });
  return pino({ level: 'warn' }, stream);
}

export const p95 = (xs: number[]): number => {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(0.95 * s.length) - 1)]!;
};

/** The upper median (no averaging of the middle two); 0 for none. */
export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
