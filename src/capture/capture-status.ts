// What a frame source reports: its stats, its state, and the log lines of the state's changes:
// online is logged once per connection; offline once, then again only when the reason changes
// (at debug otherwise), so a camera that stays down does not fill the journal.
import type { Logger } from 'pino';
import type { RunOutcome } from './run-outcome.js';

export type CaptureState = 'starting' | 'online' | 'offline' | 'finished' | 'stopped' | 'failed';

export interface CaptureStats {
  readonly state: CaptureState;
  /** Complete frames read from ffmpeg. */
  readonly received: number;
  /** Frames handed to the consumer. */
  readonly delivered: number;
  /** Frames overtaken by a newer one before the consumer asked (latest wins). */
  readonly dropped: number;
  /** ffmpeg starts after the first one. */
  readonly restarts: number;
  /** Times the stall watchdog killed ffmpeg. */
  readonly stalls: number;
  /** Bytes of unfinished frames thrown away when ffmpeg exited mid-frame. */
  readonly partialBytes: number;
  /** Clock time of the last complete frame, null before the first. */
  readonly lastFrameAt: number | null;
  /** Frames per second received over the last few seconds (0 when none). */
  readonly fps: number;
  /** The camera's own picture size, as ffmpeg last reported it (null until known). */
  readonly inputWidth: number | null;
  readonly inputHeight: number | null;
  readonly ffmpegPid: number | null;
}

/** What an offline line says beyond the run's outcome. */
export interface OfflineDetails {
  /** Delay before the next attempt; null when the source gave up. */
  readonly retryInMs: number | null;
  readonly restarts: number;
  /** ffmpeg's last stderr lines, passwords scrubbed. */
  readonly stderr: string[];
}

export class CaptureStatus {
  state: CaptureState = 'starting';
  private lastOfflineSummary: string | null = null;

  constructor(
    private readonly log: Logger,
    /** The camera's URL with its password redacted. */
    private readonly safeUrl: string,
  ) {}

  /** A frame arrived: the first since the start or since an outage is logged, with `details()`. */
  online(details: () => Record<string, unknown>): void {
    if (this.state === 'online') return;
    this.state = 'online';
    this.lastOfflineSummary = null;
    this.log.info({ event: 'camera_online', url: this.safeUrl, ...details() }, 'camera online');
  }

  /** A run failed and another follows. */
  offline(outcome: RunOutcome, details: OfflineDetails): void {
    this.logOffline(outcome, details);
  }

  /** A run failed and the source gives up: always logged. */
  gaveUp(outcome: RunOutcome, details: OfflineDetails): void {
    this.state = 'failed';
    this.logOffline(outcome, details);
  }

  /** A non-looping file ended. */
  finished(frames: number): void {
    this.state = 'finished';
    this.log.info({ event: 'camera_finished', url: this.safeUrl, frames }, 'video file ended');
  }

  /** Logs the offline transition once, and again only when the reason changes. */
  private logOffline(outcome: RunOutcome, details: OfflineDetails): void {
    const wasOnline = this.state === 'online' || this.state === 'starting';
    if (this.state !== 'failed') this.state = 'offline';
    const summary = `${outcome.code}|${outcome.reason}`;
    const fields = {
      event: 'camera_offline',
      error_type: outcome.code,
      url: this.safeUrl,
      reason: outcome.reason,
      exit_code: outcome.exit.code,
      signal: outcome.exit.signal,
      frames: outcome.frames,
      retry_in_ms: details.retryInMs,
      restarts: details.restarts,
      stderr: details.stderr,
    };
    if (wasOnline || this.state === 'failed') {
      this.log.warn(fields, `camera offline: ${outcome.reason}`);
    } else if (summary !== this.lastOfflineSummary) {
      this.log.warn({ ...fields, event: 'camera_still_offline' }, `camera still offline: ${outcome.reason}`);
    } else {
      this.log.debug({ ...fields, event: 'camera_retry' }, 'camera still offline');
    }
    this.lastOfflineSummary = summary;
  }
}
