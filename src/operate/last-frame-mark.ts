// The time of the camera's last good frame, kept in a small file in the state directory, so
// that /healthz reports the real age of the last frame after ffmpeg or the whole agent was
// restarted (a camera that stalls and makes the agent restart would otherwise look fresh
// after every restart and never cross operate.health.max_frame_age_s).
//
// Written at most every `everyMs` (the frame loop never waits for it); a missing or unreadable
// file just means "unknown" (first start), never an error.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { Logger } from '../shared/logger.js';

export class LastFrameMark {
  /** Epoch ms of the last frame of an earlier run; null when unknown. */
  readonly beforeStart: number | null;
  private written: number | null;
  private lastWriteAt = 0;
  private warned = false;

  constructor(
    private readonly file: string,
    private readonly logger: Logger,
    private readonly everyMs = 5000,
  ) {
    this.beforeStart = readMark(file);
    this.written = this.beforeStart;
  }

  /** Records the latest frame time (call it on a timer); writes when it moved and is due. */
  note(lastFrameAt: number | null, now: number): void {
    if (lastFrameAt === null || lastFrameAt === this.written || now - this.lastWriteAt < this.everyMs) return;
    try {
      writeFileSync(`${this.file}.tmp`, `${new Date(lastFrameAt).toISOString()}\n`);
      renameSync(`${this.file}.tmp`, this.file);
      this.written = lastFrameAt;
      this.lastWriteAt = now;
    } catch (err) {
      if (!this.warned) this.logger.warn({ file: this.file, err: String(err) }, 'cannot record the last frame time; /healthz forgets it across restarts');
      this.warned = true;
    }
  }
}

function readMark(file: string): number | null {
  try {
    const t = Date.parse(readFileSync(file, 'utf8').trim());
    return Number.isFinite(t) ? t : null;
  } catch {
    return null;
  }
}
