// An open track as the installer page draws it: the tracker's box and the helmet rule's
// counts and plate so far, without anything the stage keeps as evidence.
import type { Box, HelmetVerdictKind } from '../shared/types.js';
import type { Track } from '../track/tracker.js';
import type { HelmetTrackState } from './helmet-rule.js';
import { choosePlate } from './plate-consensus.js';

export interface TrackView {
  readonly id: number;
  readonly box: Box;
  readonly hits: number;
  /** Epoch ms of the track's last matched frame. */
  readonly lastSeenAt: number;
  /** Frames in which a rider was judged no_helmet. */
  readonly noHelmetFrames: number;
  /** The riders' verdicts in the track's last frame. */
  readonly riders: readonly HelmetVerdictKind[];
  /** The track's best plate read so far (the one a violation would carry). */
  readonly plate: string | null;
  /** The track has met the rule (its violation was decided). */
  readonly decided: boolean;
}

export function trackView(t: Track, rule: HelmetTrackState | undefined, plates: { minConfidence: number; maxDistance: number }): TrackView {
  const last = t.history[t.history.length - 1];
  const reads = rule?.plates.filter((p) => p.confidence >= plates.minConfidence) ?? [];
  return {
    id: t.id,
    box: t.box,
    hits: t.hits,
    lastSeenAt: t.lastSeenAt,
    noHelmetFrames: rule?.noHelmetFrames ?? 0,
    riders: last?.riders.map((r) => r.verdict) ?? [],
    plate: choosePlate(reads, plates.maxDistance)?.text ?? null,
    decided: rule?.emitted ?? false,
  };
}
