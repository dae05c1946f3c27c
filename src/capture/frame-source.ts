/**
 * FrameSource: one camera's frames, from ffmpeg to the detect stage, latest frame wins.
 *
 * Consumer API (one consumer):
 *
 *   const source = createFrameSource({ camera, logger, signal });
 *   for (;;) {
 *     const frame = await source.next(signal); // the newest frame; waits when none is new
 *     if (frame === null) break;               // stopped, or a non-looping file ended
 *     ...
 *   }
 *   await source.stop();                       // or abort `signal`; idempotent
 *
 * - `next()` resolves with the newest complete frame not yet handed out. Frames that arrived
 *   while the consumer was busy and were overtaken by a newer one are counted in
 *   `stats().dropped` and never delivered; their buffers are reused. It rejects with the
 *   signal's reason when the signal passed to it aborts, and with an AgentError
 *   (RSA_CAMERA_UNREACHABLE) when the source gave up (`giveUpAfter` failures in a row, by
 *   default only for files; live cameras are retried forever).
 * - A delivered `frame.data` belongs to the consumer: it is never written again and owns its
 *   whole ArrayBuffer (offset 0), so it can be transferred to a worker thread. A consumer done
 *   with it may hand it back with `recycle(data)`: the next frame is then assembled into it
 *   instead of a fresh allocation (a 1280x720 frame is 2.7 MB; without recycling, every frame
 *   of a lossless hand-off is a new buffer for the garbage collector).
 * - With camera.plate_pixels, each frame carries `full`: the same picture at the camera's size
 *   (yuv420p, from the same ffmpeg through a private unix socket, paired by order; see
 *   frame-pairer.ts), recycled the same way.
 * - Memory is bounded: one frame (and picture) being assembled, one waiting, one spare, plus
 *   what the consumer holds.
 * - `handoff: 'lossless'` (for a file read as fast as possible; see `defaultHandoff`) holds
 *   ffmpeg back in its pipe instead: bytes pass at most one frame ahead of what the consumer
 *   took, so no frame is dropped and ffmpeg decodes no frame only to have it thrown away.
 * - The reader is cheap on the main thread (one copy per byte, no per-chunk allocation), but
 *   it only runs when the event loop is free: run inference in a worker thread, or the pipe
 *   is not drained during `session.run`.
 *
 * Life cycle: spawn ffmpeg → frames (state `online`, logged once) → ffmpeg exits or the stall
 * watchdog (no frame for `stall_timeout_s`) kills it with SIGTERM, then SIGKILL after a grace
 * → state `offline` (logged once, with ffmpeg's last stderr lines, passwords scrubbed) →
 * backoff with jitter and a cap → spawn again. ffmpeg exiting 0 means the camera closed the
 * stream (a disconnect) for live sources and looping files; only a non-looping file finishes.
 * `stop()` resolves only after ffmpeg has exited; no ffmpeg outlives its source.
 */
import type { Logger } from 'pino';
import { systemClock, type Clock } from '../shared/clock.js';
import { redactUrl } from '../shared/redact.js';
import { YoungCollector } from '../shared/young-gc.js';
import type { Frame } from '../shared/types.js';
import { CaptureStatus, type CaptureStats } from './capture-status.js';
import { CaptureSupervisor } from './capture-supervisor.js';
import { CaptureFiles } from './capture-files.js';
import type { ArgsOptions, CaptureCamera, FfmpegInvocation } from './ffmpeg-args.js';
import { fluentFfmpegSpawner, type FfmpegSpawner } from './ffmpeg-process.js';
import type { RunContext } from './ffmpeg-run.js';
import { FrameTimes } from './frame-times.js';
import { losslessWindow, type Handoff } from './handoff.js';
import { LatestSlot } from './latest-frame.js';
import { SpareBuffer } from './spare-buffer.js';
import { StderrTail } from './stderr-tail.js';
import { StreamGeometry } from './stream-geometry.js';

export { defaultHandoff, type Handoff } from './handoff.js';
export type { CaptureState, CaptureStats } from './capture-status.js';

export interface FrameSourceOptions {
  camera: CaptureCamera;
  logger: Logger;
  clock?: Clock;
  spawn?: FfmpegSpawner;
  /** Uniform in [0, 1); jitter of the reconnect delay. */
  random?: () => number;
  /** Aborting it stops the source, like `stop()`. */
  signal?: AbortSignal;
  /** Grace between SIGTERM and SIGKILL, ms (default 3000). */
  killGraceMs?: number;
  /** Consecutive failed runs with no frame before the source gives up (default: 3 for a file, never for a camera). */
  giveUpAfter?: number;
  /** stderr lines put into the offline log line (default 8). */
  stderrLinesLogged?: number;
  args?: ArgsOptions;
  /**
   * How frames reach the consumer: `latest` (a frame that waits is replaced by a newer one and
   * counted as dropped: right for a live camera) or `lossless` (ffmpeg is held back through its
   * pipe: every frame is delivered). Default `latest`.
   */
  handoff?: Handoff;
}

export class FrameSource {
  private readonly invocation: FfmpegInvocation;
  private readonly slot: LatestSlot<Frame>;
  private readonly stopController = new AbortController();
  private readonly safeUrl: string;
  private readonly supervisor: CaptureSupervisor;
  private readonly status: CaptureStatus;
  private started = false;
  private loop: Promise<void> | null = null;
  private readonly spare: SpareBuffer;
  private seq = 0;
  private readonly counters = { received: 0, delivered: 0, dropped: 0, restarts: 0, stalls: 0, partialBytes: 0 };
  private readonly frameTimes: FrameTimes;
  private readonly geometry: StreamGeometry;
  /** The source list and the plate socket, private while capture runs. */
  private readonly files: CaptureFiles;
  private readonly onProcessExit = (): void => {
    // Last resort if Node exits without stop(): a synchronous SIGKILL so ffmpeg is not orphaned.
    this.supervisor.current?.proc?.kill('SIGKILL');
    this.files.remove();
  };
  private readonly onlineDetails = (): Record<string, unknown> => ({
    width: this.invocation.width,
    height: this.invocation.height,
    input_width: this.geometry.inputSize?.width ?? null,
    input_height: this.geometry.inputSize?.height ?? null,
    ...(this.invocation.plate ? { plate_pixels: `${this.invocation.plate.width}x${this.invocation.plate.height}` } : {}),
    restarts: this.counters.restarts,
  });

  constructor(options: FrameSourceOptions) {
    const clock = options.clock ?? systemClock;
    const log = options.logger.child({ stage: 'capture', camera: options.camera.id });
    this.files = new CaptureFiles(options.camera, options.args);
    this.invocation = this.files.invocation;
    this.slot = new LatestSlot<Frame>(options.handoff === 'lossless' ? losslessWindow(this.invocation) : 1);
    this.spare = new SpareBuffer(this.invocation.frameBytes);
    this.frameTimes = new FrameTimes(clock);
    this.safeUrl = redactUrl(options.camera.source.url);
    this.geometry = new StreamGeometry(this.invocation, log, this.invocation.plate ?? null);
    this.status = new CaptureStatus(log, this.safeUrl);
    this.supervisor = new CaptureSupervisor({
      run: this.runContext(options, clock, log),
      status: this.status,
      slot: this.slot,
      counters: this.counters,
      giveUpAfter: options.giveUpAfter ?? (this.invocation.kind === 'file' ? 3 : Number.POSITIVE_INFINITY),
      random: options.random ?? Math.random,
      stderrLinesLogged: options.stderrLinesLogged ?? 8,
    });
    if (options.signal) this.follow(options.signal);
  }

  /** Starts reading (idempotent). `createFrameSource` calls it for you. */
  start(): this {
    if (this.started) return this;
    this.started = true;
    if (this.stopController.signal.aborted) {
      this.status.state = 'stopped';
      this.slot.close();
      this.loop = Promise.resolve();
      return this;
    }
    process.on('exit', this.onProcessExit);
    this.loop = this.supervisor.run().finally(() => {
      process.removeListener('exit', this.onProcessExit);
      this.files.remove();
    });
    return this;
  }

  /** The newest frame not yet handed out; waits for one; null once the source has ended. */
  async next(signal?: AbortSignal): Promise<Frame | null> {
    const frame = await this.slot.next(signal);
    if (frame !== null) {
      this.counters.delivered++;
      this.supervisor.current?.gate?.grant();
    }
    return frame;
  }

  /**
   * Hands back the buffer of a delivered frame (`data`, or its plate picture `full.data`) the
   * consumer no longer reads or keeps anywhere (evidence must have been copied out). Ignored
   * unless it is a whole buffer of this source and no spare is held already.
   */
  recycle(data: Uint8Array): void {
    const plate = this.files.plate;
    if (plate && data.byteLength === plate.frameBytes) plate.spare.recycle(data);
    else this.spare.recycle(data);
  }

  /** Stops intake, then ends ffmpeg (SIGTERM, SIGKILL after the grace); resolves once it has exited. */
  async stop(): Promise<void> {
    if (!this.stopController.signal.aborted) {
      this.stopController.abort();
      this.counters.dropped += this.slot.close(true).length;
      // ffmpeg must not sit blocked on a full pipe while it handles SIGTERM.
      this.supervisor.current?.gate?.release();
      this.supervisor.current?.terminate('stop');
    }
    if (!this.started) {
      this.started = true;
      this.status.state = 'stopped';
      this.loop = Promise.resolve();
    }
    await this.loop;
    this.files.remove();
  }

  stats(): CaptureStats {
    return {
      state: this.status.state,
      ...this.counters,
      lastFrameAt: this.frameTimes.last,
      fps: this.frameTimes.fps(),
      inputWidth: this.geometry.inputSize?.width ?? null,
      inputHeight: this.geometry.inputSize?.height ?? null,
      ffmpegPid: this.supervisor.current?.proc?.pid() ?? null,
    };
  }

  /** The redacted URL, for messages. */
  get url(): string {
    return this.safeUrl;
  }

  /** Aborting `signal` stops the source, like `stop()`. */
  private follow(signal: AbortSignal): void {
    if (signal.aborted) this.stopController.abort();
    else signal.addEventListener('abort', () => void this.stop(), { once: true, signal: this.stopController.signal });
  }

  private runContext(options: FrameSourceOptions, clock: Clock, log: Logger): RunContext {
    return {
      camera: options.camera,
      invocation: this.invocation,
      log,
      clock,
      spawn: options.spawn ?? fluentFfmpegSpawner(),
      killGraceMs: options.killGraceMs ?? 3000,
      lossless: options.handoff === 'lossless',
      safeUrl: this.safeUrl,
      sourceList: this.files.sourceList,
      tail: new StderrTail(options.camera.source.url),
      geometry: this.geometry,
      pipeGarbage: new YoungCollector(),
      counters: this.counters,
      stopped: this.stopController.signal,
      plate: this.files.plate,
      takeBuffer: () => this.spare.take(),
      onFrame: (data, picture, now) => this.onFrame(data, picture, now),
    };
  }

  private onFrame(data: Buffer, picture: Buffer | null, now: number): void {
    this.counters.received++;
    this.frameTimes.add(now);
    this.status.online(this.onlineDetails);
    const { width, height, plate } = this.invocation;
    const full = picture && plate ? { full: { width: plate.width, height: plate.height, data: picture } } : {};
    const frame: Frame = { seq: this.seq++, width, height, data, capturedAt: now, ...full };
    const overtaken = this.slot.put(frame);
    if (overtaken) {
      this.counters.dropped++;
      // Nobody saw it: its buffers become the next frame's.
      this.spare.keep(overtaken.data as Buffer);
      if (overtaken.full) this.files.plate?.spare.keep(overtaken.full.data as Buffer);
    }
  }
}

export function createFrameSource(options: FrameSourceOptions): FrameSource {
  return new FrameSource(options).start();
}
