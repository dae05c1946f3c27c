// The hold in front of the queue: violations the queue could not store (disk full, byte bound
// reached with nothing left to shed, a write error) wait here, in memory, and are stored as
// soon as the queue takes them again.
//
// Invariants
// - Order is kept: while anything is held, a new violation joins the end of the hold and the
//   hold is stored oldest first, stopping at the first refusal.
// - Bounded by queue.hold.max_bytes (metadata + JPEG bytes) and queue.hold.max_records.
//   Over the byte bound the evidence of the oldest held records goes first (the newest
//   record's images last, largest first); a record keeps the count of images it lost, and the
//   queue stores that count with it. Metadata goes only when more than max_records are held:
//   then the oldest held record is given up at ERROR (RSA_VIOLATION_LOST) with its whole
//   metadata and its images' sha256 in the log line. Nothing else ever drops a held record.
// - A held record is in memory only: a crash or power cut loses it. Shutdown tries the queue
//   once more and gives up what is still held, each at ERROR with its metadata.
import { describeError, isAgentError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import type { Violation } from '../shared/types.js';
import { encodeMeta, recordBytes } from './codec.js';
import type { EnqueueResult } from './queue.js';

export interface HoldPolicy {
  /** queue.hold.max_records */
  maxRecords: number;
  /** queue.hold.max_bytes */
  maxBytes: number;
}

/** What the hold needs of the queue. */
export interface StoreTarget {
  enqueue(v: Violation, options?: { evidenceDropped?: number }): EnqueueResult;
}

export interface HoldCounters {
  /** Violations stored at once. */
  stored: number;
  /** Violations that had to wait in the hold (each counted once). */
  held: number;
  /** Held violations stored later. */
  storedLater: number;
  /** Evidence images shed from held violations by the hold's byte bound. */
  evidenceShed: number;
  /** Violations given up (over the hold's bound, or still held at shutdown): lost. */
  lost: number;
}

export interface StoreResult {
  outcome: 'stored' | 'held';
  imagesDropped: number;
}

interface Held {
  v: Violation;
  /** Images shed while held. */
  shed: number;
  metaBytes: number;
}

export class StoreHold {
  readonly counters: HoldCounters = { stored: 0, held: 0, storedLater: 0, evidenceShed: 0, lost: 0 };
  private readonly held: Held[] = [];
  private bytes = 0;
  private lastError: string | null = null;
  private heldSince: number | null = null;

  constructor(
    private readonly queue: StoreTarget,
    private readonly policy: HoldPolicy,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** Violations waiting in memory now. */
  get size(): number {
    return this.held.length;
  }

  get heldBytes(): number {
    return this.bytes;
  }

  /** Why the queue refused the last time, while anything is held; null otherwise. */
  get reason(): string | null {
    return this.held.length > 0 ? this.lastError : null;
  }

  /** Epoch ms since when the hold has not been empty; null when empty. */
  get since(): number | null {
    return this.heldSince;
  }

  /** Stores `v` (after whatever is held), or holds it. Never throws for a refusal. */
  store(v: Violation): StoreResult {
    if (this.held.length === 0) {
      try {
        const r = this.queue.enqueue(v);
        this.counters.stored++;
        return { outcome: 'stored', imagesDropped: r.imagesDropped };
      } catch (err) {
        this.hold(v, err);
        return { outcome: 'held', imagesDropped: 0 };
      }
    }
    this.hold(v, null);
    this.retry();
    return { outcome: this.held.some((h) => h.v.id === v.id) ? 'held' : 'stored', imagesDropped: 0 };
  }

  /** Stores held violations oldest first until the queue refuses; returns how many were stored. */
  retry(): number {
    let n = 0;
    while (this.held.length > 0) {
      const h = this.held[0]!;
      try {
        this.queue.enqueue(h.v, { evidenceDropped: h.shed });
      } catch (err) {
        this.lastError = describeError(err);
        break;
      }
      this.held.shift();
      this.bytes -= h.metaBytes + imageBytes(h.v);
      this.counters.storedLater++;
      n++;
    }
    if (n > 0)
      this.logger.warn(
        { stored: n, still_held: this.held.length, held_for_ms: this.heldSince === null ? null : this.now() - this.heldSince },
        `stored ${n} held violation(s) in the queue; ${this.held.length} still held`,
      );
    if (this.held.length === 0) this.heldSince = null;
    return n;
  }

  /** Shutdown: whatever is still held is given up, each at ERROR with its metadata. */
  giveUpAll(why: string): number {
    const n = this.held.length;
    while (this.held.length > 0) this.giveUp(this.held.shift()!, why);
    this.bytes = 0;
    this.heldSince = null;
    return n;
  }

  private hold(v: Violation, err: unknown): void {
    if (err !== null) {
      this.lastError = describeError(err);
      this.logger.error(
        { code: isAgentError(err) ? err.code : 'RSA_QUEUE_IO', err: this.lastError, event_id: v.id, held: this.held.length + 1 },
        'the queue cannot store violations now; holding them in memory until it can (queue.hold)',
      );
    }
    const metaBytes = Buffer.byteLength(encodeMeta(v));
    this.held.push({ v, shed: 0, metaBytes });
    this.bytes += recordBytes(encodeMeta(v), v.evidence);
    this.heldSince ??= this.now();
    this.counters.held++;
    this.shedEvidence();
    while (this.held.length > this.policy.maxRecords) {
      const gone = this.held.shift()!;
      this.bytes -= gone.metaBytes + imageBytes(gone.v);
      this.giveUp(gone, `more than queue.hold.max_records (${this.policy.maxRecords}) violations held`);
    }
  }

  /** Over the byte bound: images of the oldest held records first, the newest one's last. */
  private shedEvidence(): void {
    let images = 0;
    for (const h of this.held) {
      if (this.bytes <= this.policy.maxBytes) break;
      if (h.v.evidence.length === 0) continue;
      const keep = [...h.v.evidence].sort((a, b) => b.jpeg.length - a.jpeg.length);
      while (keep.length > 0 && this.bytes > this.policy.maxBytes) {
        this.bytes -= keep.shift()!.jpeg.length;
        h.shed++;
        images++;
      }
      h.v = { ...h.v, evidence: h.v.evidence.filter((e) => keep.includes(e)) };
    }
    if (images === 0) return;
    this.counters.evidenceShed += images;
    this.logger.warn(
      { images_dropped: images, held: this.held.length, held_bytes: this.bytes, max_bytes: this.policy.maxBytes },
      `hold over queue.hold.max_bytes: dropped ${images} evidence image(s) of the oldest held violation(s); their metadata is kept`,
    );
  }

  private giveUp(h: Held, why: string): void {
    this.counters.lost++;
    const { evidence, ...meta } = h.v;
    this.logger.error(
      {
        code: 'RSA_VIOLATION_LOST',
        reason: why,
        queue_error: this.lastError,
        violation: meta,
        evidence: evidence.map((e) => ({ kind: e.kind, sha256: e.sha256 })),
        evidence_dropped: h.shed,
      },
      'violation could NOT be stored on the box and is given up; its record is in this log line',
    );
  }
}

function imageBytes(v: Violation): number {
  return v.evidence.reduce((n, e) => n + e.jpeg.length, 0);
}
