// IoU tracker with a constant-velocity motion model on box centre and size.
//
// Invariants:
// - a track id is never reused within one tracker (ids count up from 1);
// - a detection continues at most one track and a track takes at most one detection per frame;
// - a track unseen for `timeoutMs` or more has ended: it is returned once by `update`/`expire`
//   and never matched again;
// - each track's history is bounded (`maxHistory` frames, oldest dropped first).
import type { Box, HelmetVerdictKind, MotorcycleObservation } from '../shared/types.js';
import { iou } from '../shared/box.js';
import { fromState, toState, type BoxState } from './box.js';

export interface TrackerOptions {
  /** Minimum IoU between a track's predicted box and a detection to continue the track. */
  iouMatch: number;
  /** A track unseen this long (ms) has ended. */
  timeoutMs: number;
  /** Frames of rider verdicts kept per track (default 300: a minute at 5 fps). */
  maxHistory?: number;
  /** Weight of the newest velocity measurement, 0..1 (default 0.5). */
  velocitySmoothing?: number;
}

/** What the riders of a track looked like in one frame. */
export interface TrackFrame {
  readonly seq: number;
  readonly at: number;
  readonly riders: ReadonlyArray<{ readonly verdict: HelmetVerdictKind; readonly noHelmetScore: number }>;
}

export interface Track {
  readonly id: number;
  readonly firstSeenAt: number;
  readonly lastSeenAt: number;
  /** Frames in which the track was matched to a detection. */
  readonly hits: number;
  /** The first and the last observed box. */
  readonly firstBox: Box;
  readonly box: Box;
  /** Rider verdicts per frame, oldest first, bounded. */
  readonly history: readonly TrackFrame[];
  /** Where the motion model expects the box at `at` (epoch ms). */
  predict(at: number): Box;
}

export interface TrackAssignment {
  readonly track: Track;
  readonly observation: MotorcycleObservation;
}

export interface TrackerUpdate {
  /** One entry per observation, in the order given: the track it continues or started. */
  readonly assigned: readonly TrackAssignment[];
  /** Tracks that ended (timed out) before this frame. */
  readonly ended: readonly Track[];
}

export interface Tracker {
  update(observations: readonly MotorcycleObservation[], at: number, seq: number): TrackerUpdate;
  /** Ends the tracks unseen for the timeout at `at` without a new frame (a stalled camera). */
  expire(at: number): Track[];
  /** Ends every open track (end of file, shutdown). */
  closeAll(): Track[];
  open(): readonly Track[];
}

class TrackImpl implements Track {
  readonly history: TrackFrame[] = [];
  hits = 1;
  private state: BoxState;
  /** Per millisecond. */
  private velocity: BoxState = { cx: 0, cy: 0, w: 0, h: 0 };
  private hasVelocity = false;
  readonly firstBox: Box;

  constructor(
    readonly id: number,
    public box: Box,
    readonly firstSeenAt: number,
    public lastSeenAt: number,
  ) {
    this.state = toState(box);
    this.firstBox = box;
  }

  predict(at: number): Box {
    const dt = Math.max(0, at - this.lastSeenAt);
    const s = this.state;
    const v = this.velocity;
    // Size may shrink or grow, but never collapse or explode from a noisy velocity.
    const w = Math.min(s.w * 2, Math.max(s.w * 0.5, s.w + v.w * dt));
    const h = Math.min(s.h * 2, Math.max(s.h * 0.5, s.h + v.h * dt));
    return fromState({ cx: s.cx + v.cx * dt, cy: s.cy + v.cy * dt, w, h });
  }

  observe(box: Box, at: number, smoothing: number): void {
    const next = toState(box);
    const dt = at - this.lastSeenAt;
    if (dt > 0) {
      const measured: BoxState = {
        cx: (next.cx - this.state.cx) / dt,
        cy: (next.cy - this.state.cy) / dt,
        w: (next.w - this.state.w) / dt,
        h: (next.h - this.state.h) / dt,
      };
      const a = this.hasVelocity ? smoothing : 1;
      this.velocity = {
        cx: a * measured.cx + (1 - a) * this.velocity.cx,
        cy: a * measured.cy + (1 - a) * this.velocity.cy,
        w: a * measured.w + (1 - a) * this.velocity.w,
        h: a * measured.h + (1 - a) * this.velocity.h,
      };
      this.hasVelocity = true;
    }
    this.state = next;
    this.box = box;
    this.lastSeenAt = at;
    this.hits += 1;
  }

  record(frame: TrackFrame, maxHistory: number): void {
    this.history.push(frame);
    if (this.history.length > maxHistory) this.history.splice(0, this.history.length - maxHistory);
  }
}

function riderFrame(observation: MotorcycleObservation, at: number, seq: number): TrackFrame {
  return {
    seq,
    at,
    riders: observation.riders.map((r) => ({ verdict: r.helmet.verdict, noHelmetScore: r.helmet.noHelmetScore })),
  };
}

export function createTracker(options: TrackerOptions): Tracker {
  const maxHistory = options.maxHistory ?? 300;
  const smoothing = options.velocitySmoothing ?? 0.5;
  let nextId = 1;
  let tracks: TrackImpl[] = [];

  function expire(at: number): Track[] {
    const ended = tracks.filter((t) => at - t.lastSeenAt >= options.timeoutMs);
    if (ended.length > 0) tracks = tracks.filter((t) => at - t.lastSeenAt < options.timeoutMs);
    return ended;
  }

  function update(observations: readonly MotorcycleObservation[], at: number, seq: number): TrackerUpdate {
    const ended = expire(at);
    // Greedy matching on IoU of the predicted box, best pairs first; ties broken by track id
    // then detection order so the result is deterministic.
    const predicted = tracks.map((t) => t.predict(at));
    const pairs: Array<{ t: number; d: number; iou: number }> = [];
    for (let t = 0; t < tracks.length; t++) {
      const p = predicted[t]!;
      for (let d = 0; d < observations.length; d++) {
        const score = iou(p, observations[d]!.motorcycle.box);
        if (score >= options.iouMatch) pairs.push({ t, d, iou: score });
      }
    }
    pairs.sort((a, b) => b.iou - a.iou || tracks[a.t]!.id - tracks[b.t]!.id || a.d - b.d);
    const trackOf = new Array<TrackImpl | undefined>(observations.length);
    const takenTracks = new Set<number>();
    for (const pair of pairs) {
      if (takenTracks.has(pair.t) || trackOf[pair.d] !== undefined) continue;
      takenTracks.add(pair.t);
      const track = tracks[pair.t]!;
      track.observe(observations[pair.d]!.motorcycle.box, at, smoothing);
      trackOf[pair.d] = track;
    }
    const assigned: TrackAssignment[] = observations.map((observation, d) => {
      let track = trackOf[d];
      if (track === undefined) {
        track = new TrackImpl(nextId++, observation.motorcycle.box, at, at);
        tracks.push(track);
      }
      track.record(riderFrame(observation, at, seq), maxHistory);
      return { track, observation };
    });
    return { assigned, ended };
  }

  return {
    update,
    expire,
    closeAll() {
      const all = tracks;
      tracks = [];
      return all;
    },
    open: () => tracks,
  };
}
