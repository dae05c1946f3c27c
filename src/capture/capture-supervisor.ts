// The restart loop of one camera: ffmpeg runs one after another (ffmpeg-run.ts); a failed run is
// followed by backoff with jitter and a cap; `giveUpAfter` failed runs in a row with no frame
// end the source (by default only a file's); a non-looping file finishes. Each outcome is
// reported (capture-status.ts), and the consumer's slot is closed or failed when the loop ends.
import { AgentError } from '../shared/errors.js';
import type { Frame } from '../shared/types.js';
import { backoffDelayMs, sleep } from './backoff.js';
import type { CaptureStatus, OfflineDetails } from './capture-status.js';
import { FfmpegRun, type RunContext } from './ffmpeg-run.js';
import type { LatestSlot } from './latest-frame.js';
import type { RunOutcome } from './run-outcome.js';

export interface SupervisorOptions {
  readonly run: RunContext;
  readonly status: CaptureStatus;
  readonly slot: LatestSlot<Frame>;
  readonly counters: { readonly received: number; restarts: number };
  /** Consecutive failed runs with no frame before the source gives up. */
  readonly giveUpAfter: number;
  /** Uniform in [0, 1); jitter of the reconnect delay. */
  readonly random: () => number;
  /** stderr lines put into the offline log line. */
  readonly stderrLinesLogged: number;
}

export class CaptureSupervisor {
  private last: FfmpegRun | null = null;

  constructor(private readonly o: SupervisorOptions) {}

  /** The ffmpeg run going on, or the last one (its process and gate are null once ffmpeg exited). */
  get current(): FfmpegRun | null {
    return this.last;
  }

  /** Runs ffmpeg again and again until the source stops, finishes or gives up; never rejects. */
  async run(): Promise<void> {
    try {
      await this.supervise();
    } catch (err) {
      // A bug in this loop must not leave the consumer waiting forever.
      this.o.status.state = 'failed';
      this.o.run.log.error({ event: 'capture_crashed', error_type: 'RSA_CAMERA_UNREACHABLE', err }, 'capture loop failed');
      this.o.slot.fail(err);
      this.last?.terminate('stop');
    }
  }

  private async supervise(): Promise<void> {
    const { counters, status, run } = this.o;
    let failures = 0;
    for (let runs = 0; !run.stopped.aborted; runs++) {
      if (runs > 0) counters.restarts++;
      const outcome = await this.runOnce();
      if (outcome.kind === 'stopped' || run.stopped.aborted) break;
      if (outcome.kind === 'finished') return this.finish();
      failures = outcome.frames > 0 ? 1 : failures + 1;
      if (failures >= this.o.giveUpAfter) return this.giveUp(outcome, failures);
      const delay = backoffDelayMs(failures, run.camera.reconnect, this.o.random);
      status.offline(outcome, this.offlineDetails(delay));
      await sleep(delay, run.stopped);
    }
    status.state = 'stopped';
    this.o.slot.close(true);
  }

  private runOnce(): Promise<RunOutcome> {
    const run = new FfmpegRun(this.o.run);
    this.last = run;
    return run.run();
  }

  private finish(): void {
    this.o.status.finished(this.o.counters.received);
    this.o.slot.close();
  }

  private giveUp(outcome: RunOutcome, failures: number): void {
    this.o.status.gaveUp(outcome, this.offlineDetails(null));
    this.o.slot.fail(new AgentError(outcome.code, `${this.o.run.safeUrl}: ${outcome.reason}; gave up after ${failures} attempts`));
  }

  private offlineDetails(retryInMs: number | null): OfflineDetails {
    return { retryInMs, restarts: this.o.counters.restarts, stderr: this.o.run.tail.last(this.o.stderrLinesLogged) };
  }
}
