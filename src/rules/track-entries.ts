// The violation stage's per-track bookkeeping: each open track's helmet rule, and the evidence it
// holds until its violation is decided.
//
// Invariants:
// - an entry holds one owned copy of its best frame (one copy per frame, shared by the tracks
//   whose best it became) and at most MAX_PLATE_CROPS plate crops, one per distinct text;
// - `release` drops both as soon as the track's violation is decided;
// - an ended track's entry is removed when its violation is taken (or found not due); an open
//   track's stays, marked emitted, so later frames leave it alone.
import { copyRaw, cropRaw, type RawImage } from '../evidence/raw.js';
import { padBox, scaleBox } from '../shared/box.js';
import type { Box, Frame } from '../shared/types.js';
import { cropYuvToRgb } from '../shared/yuv.js';
import type { Track, TrackAssignment } from '../track/tracker.js';
import { HelmetTrackState, type FrameRef, type HelmetRuleOptions } from './helmet-rule.js';
import { plateWeight } from './plate-consensus.js';

/** Plate crops kept per track, one per distinct text, the lightest read's dropped first. */
export const MAX_PLATE_CROPS = 16;
/** Share of the plate box added on each side of the plate crop. */
export const PLATE_PAD = 0.12;

export interface TrackEntry {
  readonly rule: HelmetTrackState;
  readonly track: Track;
  bestFrame: RawImage | null;
  plateCrops: Map<string, { weight: number; crop: RawImage }>;
}

export interface TrackEntries {
  /** One frame's assignments: each undecided track's rule sees its observation; evidence is held. */
  observe(assigned: readonly TrackAssignment[], frame: Frame, ref: FrameRef): void;
  /** Drops the ended tracks' entries; returns those due at `at`: ended tracks first, then open tracks past their maximum delay; each in track-id order. */
  takeDue(ended: readonly Track[], at: number): TrackEntry[];
  rule(trackId: number): HelmetTrackState | undefined;
  /** Tracks seen so far. */
  started(): number;
  /** Evidence frames held now (one per open track with a counted frame at most). */
  framesHeld(): number;
}

/** Drops a decided entry's evidence. */
export function release(e: TrackEntry): void {
  e.bestFrame = null;
  e.plateCrops = new Map();
}

export function createTrackEntries(ruleOptions: HelmetRuleOptions): TrackEntries {
  const entries = new Map<number, TrackEntry>();
  let started = 0;

  function entryFor(track: Track): TrackEntry {
    let e = entries.get(track.id);
    if (!e) {
      e = { rule: new HelmetTrackState(track.id, track.firstSeenAt, ruleOptions), track, bestFrame: null, plateCrops: new Map() };
      entries.set(track.id, e);
      started += 1;
    }
    return e;
  }

  return {
    observe(assigned, f, ref) {
      let owned: RawImage | null = null;
      for (const { track, observation } of assigned) {
        const e = entryFor(track);
        if (e.rule.emitted) continue;
        const r = e.rule.observe(observation, ref);
        if (r.bestChanged) e.bestFrame = owned ??= copyRaw(f);
        const read = observation.plate;
        if (r.plateKept && read && read.text !== '') {
          keepPlateCrop(e, read.text, plateWeight(read), () => plateCrop(f, read.box));
        }
      }
    },
    takeDue(ended, at) {
      const due: TrackEntry[] = [];
      for (const t of [...ended].sort((a, b) => a.id - b.id)) {
        const e = entries.get(t.id);
        entries.delete(t.id);
        if (e?.rule.due(at, true)) due.push(e);
      }
      for (const [, e] of [...entries].sort((a, b) => a[0] - b[0])) if (e.rule.due(at, false)) due.push(e);
      return due;
    },
    rule: (trackId) => entries.get(trackId)?.rule,
    started: () => started,
    framesHeld() {
      let held = 0;
      for (const e of entries.values()) if (e.bestFrame) held += 1;
      return held;
    },
  };
}

/** The plate's evidence crop, from the pixels it was read on: the camera-resolution picture when the frame has one. */
export function plateCrop(f: Frame, box: Box): RawImage {
  const full = f.full;
  if (!full) return cropRaw(f, padBox(box, PLATE_PAD, f.width, f.height));
  const b = scaleBox(box, full.width / f.width, full.height / f.height);
  return cropYuvToRgb(full, padBox(b, PLATE_PAD, full.width, full.height));
}

function keepPlateCrop(e: TrackEntry, text: string, weight: number, crop: () => RawImage): void {
  const held = e.plateCrops.get(text);
  if (held && held.weight >= weight) return;
  if (!held && e.plateCrops.size >= MAX_PLATE_CROPS) {
    let lightest: string | null = null;
    for (const [t, c] of e.plateCrops) if (lightest === null || c.weight < e.plateCrops.get(lightest)!.weight) lightest = t;
    if (lightest === null || e.plateCrops.get(lightest)!.weight >= weight) return;
    e.plateCrops.delete(lightest);
  }
  e.plateCrops.set(text, { weight, crop: crop() });
}
