// Pacing reconnects: the delay before the next attempt, and waiting it out.
import type { BackoffConfig } from '../config/schema.js';

/**
 * Delay before reconnect attempt `failures` (1 = after the first failure), in ms:
 * `initial * factor^(failures-1)`, capped at `max`, then spread by ±`jitter` with `random()`
 * in [0, 1) so that many boxes that lost the same camera network do not reconnect in step.
 * The cap holds after jitter too.
 */
export function backoffDelayMs(failures: number, policy: BackoffConfig, random: () => number = Math.random): number {
  const n = Math.max(1, Math.floor(failures));
  const base = Math.min(policy.max_s, policy.initial_s * policy.factor ** (n - 1));
  const spread = 1 + policy.jitter * (2 * random() - 1);
  return Math.round(Math.min(policy.max_s, base * spread) * 1000);
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
