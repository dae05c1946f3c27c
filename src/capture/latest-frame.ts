/**
 * A mailbox between the pipe reader (producer) and one consumer: latest wins.
 *
 * Invariants: at most `capacity` items wait (one by default); `put` of a newer item while the
 * box is full drops the oldest and hands it back to the caller (so it can be counted as
 * dropped and its buffer reused); a waiting consumer is handed an item at once, so nothing is
 * dropped when the consumer keeps up. Memory is bounded by `capacity` waiting items, whatever
 * the consumer's speed. A lossless hand-off sizes it to what its gate lets through, so nothing
 * is ever overtaken there.
 * After `close`, `next` drains the waiting item (unless discarded) and then resolves null;
 * after `fail`, it rejects with the error once the waiting item is drained.
 */
export class LatestSlot<T> {
  private readonly pending: T[] = [];
  private waiter: { resolve: (v: T | null) => void; reject: (e: unknown) => void; cleanup: () => void } | null = null;
  private closed = false;
  private error: Error | null = null;

  constructor(private readonly capacity = 1) {}

  /** Offers an item; returns the item it overtook (never consumed), or null. */
  put(item: T): T | null {
    if (this.closed) return item;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      w.cleanup();
      w.resolve(item);
      return null;
    }
    this.pending.push(item);
    return this.pending.length > this.capacity ? this.pending.shift()! : null;
  }

  /** The oldest item waiting (the newest with one slot); waits when there is none. Only one call may wait at a time. */
  next(signal?: AbortSignal): Promise<T | null> {
    if (this.pending.length > 0) return Promise.resolve(this.pending.shift()!);
    if (this.closed) return this.error === null ? Promise.resolve(null) : Promise.reject(this.error);
    if (this.waiter) return Promise.reject(new Error('LatestSlot.next: another call is already waiting (one consumer only)'));
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    return new Promise<T | null>((resolve, reject) => {
      const onAbort = (): void => {
        this.waiter = null;
        reject(abortReason(signal));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiter = { resolve, reject, cleanup: () => signal?.removeEventListener('abort', onAbort) };
    });
  }

  /** No more items. With `discard`, the items still waiting are dropped and returned. */
  close(discard = false): T[] {
    return this.finish(null, discard);
  }

  /** No more items because of `error`; `next` rejects with it once the slot is empty. */
  fail(error: unknown): void {
    this.finish(error instanceof Error ? error : new Error(String(error)), false);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private finish(error: Error | null, discard: boolean): T[] {
    if (this.closed) return [];
    this.closed = true;
    this.error = error;
    const dropped = discard ? this.pending.splice(0) : [];
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      w.cleanup();
      if (error === null) w.resolve(null);
      else w.reject(error);
    }
    return dropped;
  }
}

function abortReason(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason : new Error(typeof reason === 'string' ? reason : 'aborted');
}
