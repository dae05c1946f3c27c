// An open track as the installer page draws it: the tracker's box and the helmet rule's
// counts and plate so far, without anything the stage keeps as evidence.
import type { TrackView } from '../shared/types.js';
import type { Track } from '../track/tracker.js';
import type { HelmetTrackState } from './helmet-rule.js';
import { choosePlate } from './plate-consensus.js';

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
