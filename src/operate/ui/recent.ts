/**
 * The last violations, for the installer page: the most recent N queued by this process, each
 * with its evidence JPEGs and its delivery state.
 *
 * Delivered records leave the SQLite queue at once, so the state is learnt where it changes:
 * `watch` wraps the queue the flusher uses and notes each ack (delivered), defer (still queued,
 * with the error) and reject (dead letter, with the reason) before passing it on. The list is
 * bounded (oldest dropped first) and lives in memory: after a restart it starts empty, while the
 * queue itself (`roadside-agent queue list`) still has every undelivered record.
 */
import type { Clock } from '../../shared/clock.js';
import type { EvidenceKind, Violation } from '../../shared/types.js';

export type DeliveryState = 'queued' | 'delivered' | 'dead';

export interface RecentEntry {
  id: string;
  occurredAt: number;
  queuedAt: number;
  plate: string | null;
  plateConfidence: number | null;
  confidence: number;
  frames: number;
  trackId: number;
  state: DeliveryState;
  /** When it was delivered or moved to the dead letters. */
  settledAt: number | null;
  attempts: number;
  /** The last delivery error (queued) or the rejection reason (dead). */
  reason: string | null;
  evidence: Array<{ kind: EvidenceKind; width: number; height: number; sha256: string }>;
}

/** The queue methods the flush loop calls: the ones whose effect changes a record's state. */
export interface StateChangingQueue {
  ack(ids: readonly string[]): void;
  defer(ids: readonly string[], error: string, nextAttemptAt: number): void;
  reject(id: string, reason: string): void;
}

export class RecentViolations {
  private readonly entries = new Map<string, { entry: RecentEntry; jpegs: Map<EvidenceKind, Buffer> }>();

  constructor(
    private readonly limit: number,
    private readonly clock: Clock,
  ) {}

  /** A violation was committed to the queue. */
  add(v: Violation): void {
    const entry: RecentEntry = {
      id: v.id,
      occurredAt: v.occurredAt,
      queuedAt: this.clock.now(),
      plate: v.plateText,
      plateConfidence: v.plateConfidence,
      confidence: v.detectionConfidence,
      frames: v.frameCount,
      trackId: v.trackId,
      state: 'queued',
      settledAt: null,
      attempts: 0,
      reason: null,
      evidence: v.evidence.map((e) => ({ kind: e.kind, width: e.width, height: e.height, sha256: e.sha256 })),
    };
    this.entries.set(v.id, { entry, jpegs: new Map(v.evidence.map((e) => [e.kind, e.jpeg])) });
    while (this.entries.size > this.limit) this.entries.delete(this.entries.keys().next().value!);
  }

  /** Newest first. */
  list(): RecentEntry[] {
    return [...this.entries.values()].map((e) => e.entry).reverse();
  }

  evidence(id: string, kind: string): Buffer | null {
    return this.entries.get(id)?.jpegs.get(kind as EvidenceKind) ?? null;
  }

  private update(id: string, change: (e: RecentEntry) => void): void {
    const held = this.entries.get(id);
    if (held) change(held.entry);
  }

  /** The same queue, telling this list about each state change after the queue made it. */
  watch<Q extends StateChangingQueue>(queue: Q): Q {
    const ack = (ids: readonly string[]): void => {
      queue.ack(ids);
      const now = this.clock.now();
      for (const id of ids) this.update(id, (e) => Object.assign(e, { state: 'delivered', settledAt: now, attempts: e.attempts + 1, reason: null }));
    };
    const defer = (ids: readonly string[], error: string, nextAttemptAt: number): void => {
      queue.defer(ids, error, nextAttemptAt);
      for (const id of ids) this.update(id, (e) => Object.assign(e, { attempts: e.attempts + 1, reason: error }));
    };
    const reject = (id: string, reason: string): void => {
      queue.reject(id, reason);
      this.update(id, (e) => Object.assign(e, { state: 'dead', settledAt: this.clock.now(), attempts: e.attempts + 1, reason }));
    };
    return new Proxy(queue, {
      get(target, prop, receiver) {
        if (prop === 'ack') return ack;
        if (prop === 'defer') return defer;
        if (prop === 'reject') return reject;
        const value: unknown = Reflect.get(target, prop, receiver);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  }
}
