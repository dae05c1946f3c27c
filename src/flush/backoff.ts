/** Exponential backoff with jitter and a cap (the `retry` section of the central config). */
export interface BackoffPolicy {
  initial_s: number;
  max_s: number;
  factor: number;
  /** Random share of each delay: 0.2 = ±20%. */
  jitter: number;
}

/** Delay in ms before attempt `failures + 1`, given `failures` consecutive failures (≥ 1). */
export function backoffDelay(failures: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const base = Math.min(policy.initial_s * policy.factor ** Math.max(0, failures - 1), policy.max_s) * 1000;
  const spread = base * policy.jitter * (2 * random() - 1);
  return Math.max(0, Math.round(Math.min(base + spread, policy.max_s * 1000)));
}

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal!.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * `p`, or a rejection with the signal's reason as soon as it aborts: a sink that ignores the
 * signal cannot hold the loop past a shutdown deadline.
 */
export function untilAborted<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(asError(err));
      },
    );
  });
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
