// The dedup window: the same plate (fuzzy) with the same violation type inside `windowMs` is one
// violation. A violation without a plate is kept once per track.
//
// Invariants:
// - the window counts from the last *kept* violation of a plate; a dropped duplicate does not
//   extend it (a bike parked in view yields one record per window, not one ever);
// - entries older than the window (by the injected clock) are forgotten on every check, and at
//   most `maxEntries` are held (oldest evicted first), so memory is bounded;
// - every dropped duplicate is counted by reason and logged at debug with that reason.
import type { Logger } from 'pino';
import type { Clock } from '../shared/clock.js';
import type { ViolationType } from '../shared/types.js';
import { editDistance, foldPlate } from '../plate/text.js';

export type DuplicateReason = 'same_plate_in_window' | 'same_track';

export interface DedupCandidate {
  readonly type: ViolationType;
  readonly plateText: string | null;
  readonly trackId: number;
}

export type DedupDecision =
  | { readonly keep: true }
  | { readonly keep: false; readonly reason: DuplicateReason; readonly matched: string | null; readonly ageMs: number };

export interface DedupOptions {
  windowMs: number;
  maxPlateDistance: number;
  clock: Clock;
  logger: Logger;
  /** Hard bound on remembered violations (default 10,000). */
  maxEntries?: number;
}

export interface DedupStats {
  /** Remembered violations (plates and plate-less tracks) inside the window. */
  readonly entries: number;
  readonly kept: number;
  readonly duplicates: Readonly<Record<DuplicateReason, number>>;
}

export interface Dedup {
  /** Decides on one candidate and, when kept, remembers it. */
  check(candidate: DedupCandidate): DedupDecision;
  stats(): DedupStats;
}

interface Entry {
  readonly type: ViolationType;
  /** Folded plate, or null for a plate-less violation. */
  readonly folded: string | null;
  readonly plateText: string | null;
  readonly trackId: number;
  readonly at: number;
}

export function createDedup(options: DedupOptions): Dedup {
  const maxEntries = options.maxEntries ?? 10_000;
  // Oldest first: entries are appended with a non-decreasing clock, so expiry trims the front.
  let entries: Entry[] = [];
  let kept = 0;
  const duplicates: Record<DuplicateReason, number> = { same_plate_in_window: 0, same_track: 0 };

  function prune(now: number): void {
    let drop = 0;
    while (drop < entries.length && now - entries[drop]!.at >= options.windowMs) drop++;
    if (entries.length - drop > maxEntries) drop = entries.length - maxEntries;
    if (drop > 0) entries = entries.slice(drop);
  }

  function findDuplicate(c: DedupCandidate, folded: string | null): { entry: Entry; reason: DuplicateReason } | null {
    for (let i = entries.length - 1; i >= 0; i--) {
      const e = entries[i]!;
      if (e.type !== c.type) continue;
      if (e.trackId === c.trackId) return { entry: e, reason: 'same_track' };
      if (folded !== null && e.folded !== null && editDistance(folded, e.folded, options.maxPlateDistance) <= options.maxPlateDistance)
        return { entry: e, reason: 'same_plate_in_window' };
    }
    return null;
  }

  return {
    check(c) {
      const now = options.clock.now();
      prune(now);
      const folded = c.plateText === null || c.plateText === '' ? null : foldPlate(c.plateText);
      const dup = findDuplicate(c, folded);
      if (dup !== null) {
        duplicates[dup.reason] += 1;
        const ageMs = now - dup.entry.at;
        options.logger.debug(
          { reason: dup.reason, type: c.type, plate: c.plateText, trackId: c.trackId, matchedPlate: dup.entry.plateText, matchedTrackId: dup.entry.trackId, ageMs },
          'duplicate violation dropped',
        );
        return { keep: false, reason: dup.reason, matched: dup.entry.plateText, ageMs };
      }
      entries.push({ type: c.type, folded, plateText: c.plateText, trackId: c.trackId, at: now });
      if (entries.length > maxEntries) entries = entries.slice(entries.length - maxEntries);
      kept += 1;
      return { keep: true };
    },
    stats: () => ({ entries: entries.length, kept, duplicates: { ...duplicates } }),
  };
}
