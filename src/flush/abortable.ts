// Waiting on a promise that an AbortSignal can cut short (a pooled connection, a query).

/**
 * Resolves with `p`, or rejects with the signal's reason when it aborts first. `onAbort` runs
 * at the abort (e.g. destroy the connection a query waits on); `onLate` gets a value that
 * arrives after it (e.g. a connection to destroy).
 */
export function abortable<T>(
  p: Promise<T>,
  signal: AbortSignal | undefined,
  hooks: { onAbort?: () => void; onLate?: (late: T) => void },
): Promise<T> {
  if (!signal) return p;
  return new Promise<T>((resolve, reject) => {
    let done = false;
    const abort = (): void => {
      if (done) return;
      done = true;
      hooks.onAbort?.();
      reject(signal.reason as Error);
    };
    if (signal.aborted) abort();
    else signal.addEventListener('abort', abort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', abort);
        if (done) hooks.onLate?.(v);
        else {
          done = true;
          resolve(v);
        }
      },
      (err: unknown) => {
        signal.removeEventListener('abort', abort);
        if (!done) {
          done = true;
          reject(asError(err));
        }
      },
    );
  });
}

export function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
