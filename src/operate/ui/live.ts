/**
 * The live view: the current frame as a JPEG about once a second, with what detect and the
 * tracker saw in it (drawn by the page, so the JPEG is the plain frame).
 *
 * Invariant: nothing is copied or encoded while no page is open. A page is open while it asked
 * for the live view within the last WATCH_WINDOW_MS; until then `observe` is one clock read.
 * At most one encode is in flight; a frame that comes while one is, is skipped.
 */
import { loadSharp } from '../../evidence/sharp.js';
import type { Clock } from '../../shared/clock.js';
import type { Logger } from '../../shared/logger.js';
import type { Box, FrameAnalysis, HelmetVerdictKind, Role, SceneScan, TrackView } from '../../shared/types.js';

export const WATCH_WINDOW_MS = 5000;

/** What the rules let the live view know about the open tracks. */
export type LiveTrack = TrackView;

type XYXY = [number, number, number, number];
const xyxy = (b: Box): XYXY => [Math.round(b.x1), Math.round(b.y1), Math.round(b.x2), Math.round(b.y2)];

/** The overlay of one frame, in detect-frame pixels. */
export interface LiveOverlay {
  seq: number;
  capturedAt: number;
  width: number;
  height: number;
  detections: Array<{ box: XYXY; role: Role | null; score: number }>;
  riders: Array<{ box: XYXY; head: XYXY; verdict: HelmetVerdictKind; noHelmetScore: number }>;
  plates: Array<{ box: XYXY; text: string; confidence: number }>;
  /** Open tracks; `seen` when matched in this very frame (the others keep their last box). */
  tracks: Array<{ id: number; box: XYXY; hits: number; seen: boolean; noHelmetFrames: number; riders: HelmetVerdictKind[]; plate: string | null; decided: boolean }>;
  /** Where the scene detector looked in this frame; null when the detector did not say. */
  scan: { mode: SceneScan['mode']; regions: XYXY[]; motion: XYXY[]; motionFraction: number | null } | null;
}

const r3 = (x: number): number => Math.round(x * 1000) / 1000;

export function overlayOf(analysis: FrameAnalysis, tracks: readonly LiveTrack[]): LiveOverlay {
  const f = analysis.frame;
  return {
    seq: f.seq,
    capturedAt: f.capturedAt,
    width: f.width,
    height: f.height,
    detections: analysis.detections.map((d) => ({ box: xyxy(d.box), role: d.role, score: r3(d.score) })),
    riders: analysis.motorcycles.flatMap((m) =>
      m.riders.map((r) => ({ box: xyxy(r.person.box), head: xyxy(r.helmet.headBox), verdict: r.helmet.verdict, noHelmetScore: r3(r.helmet.noHelmetScore) })),
    ),
    plates: analysis.motorcycles.flatMap((m) => (m.plate ? [{ box: xyxy(m.plate.box), text: m.plate.text, confidence: r3(m.plate.confidence) }] : [])),
    tracks: tracks.map((t) => ({
      id: t.id,
      box: xyxy(t.box),
      hits: t.hits,
      seen: t.lastSeenAt === f.capturedAt,
      noHelmetFrames: t.noHelmetFrames,
      riders: [...t.riders],
      plate: t.plate,
      decided: t.decided,
    })),
    scan: scanOf(analysis.scan),
  };
}

function scanOf(scan: SceneScan | undefined): LiveOverlay['scan'] {
  if (!scan) return null;
  const fraction = scan.motionFraction === null ? null : Math.round(scan.motionFraction * 10_000) / 10_000;
  return { mode: scan.mode, regions: scan.regions.map(xyxy), motion: scan.motion.map(xyxy), motionFraction: fraction };
}

export interface LiveFrame {
  overlay: LiveOverlay;
  jpeg: Buffer;
}

export interface LiveViewOptions {
  clock: Clock;
  logger: Logger;
  intervalMs: number;
  jpegQuality: number;
}

export interface LiveViewStats {
  watching: boolean;
  /** Frames encoded since start (a measure of what the page cost). */
  encoded: number;
  encodeMsTotal: number;
}

export class LiveView {
  private lastAskedAt = Number.NEGATIVE_INFINITY;
  private lastTakenAt = Number.NEGATIVE_INFINITY;
  private encoding = false;
  private held: LiveFrame[] = [];
  private readonly counts = { encoded: 0, encodeMsTotal: 0 };

  constructor(private readonly o: LiveViewOptions) {}

  /** A page asked for the view: keep encoding for the next WATCH_WINDOW_MS. */
  touch(): void {
    this.lastAskedAt = this.o.clock.now();
  }

  watching(now = this.o.clock.now()): boolean {
    return now - this.lastAskedAt <= WATCH_WINDOW_MS;
  }

  /**
   * Called for every analysed frame before its buffer goes back to capture: copies it when a page
   * is open and a new view frame is due. `tracks` is called only then.
   */
  observe(analysis: FrameAnalysis, tracks: () => readonly LiveTrack[]): void {
    const now = this.o.clock.now();
    if (!this.watching(now)) {
      this.held = [];
      return;
    }
    if (this.encoding || now - this.lastTakenAt < this.o.intervalMs) return;
    this.lastTakenAt = now;
    this.encoding = true;
    const f = analysis.frame;
    const overlay = overlayOf(analysis, tracks());
    const pixels = Buffer.from(f.data.buffer, f.data.byteOffset, f.data.byteLength);
    const copy = Buffer.allocUnsafe(pixels.length);
    pixels.copy(copy);
    const started = performance.now();
    loadSharp()
      .then((sharp) => sharp(copy, { raw: { width: f.width, height: f.height, channels: 3 } }).jpeg({ quality: this.o.jpegQuality }).toBuffer())
      .then((jpeg) => {
        this.counts.encoded += 1;
        this.counts.encodeMsTotal += performance.now() - started;
        // Two kept, so a page that read the overlay of one frame can still fetch its picture.
        this.held = [{ overlay, jpeg }, ...this.held].slice(0, 2);
      })
      .catch((err: unknown) => this.o.logger.warn({ stage: 'ui', err }, 'live view frame could not be encoded'))
      .finally(() => (this.encoding = false));
  }

  latest(): LiveFrame | null {
    return this.held[0] ?? null;
  }

  frame(seq: number): LiveFrame | null {
    return this.held.find((h) => h.overlay.seq === seq) ?? null;
  }

  stats(): LiveViewStats {
    return { watching: this.watching(), encoded: this.counts.encoded, encodeMsTotal: Math.round(this.counts.encodeMsTotal) };
  }
}
