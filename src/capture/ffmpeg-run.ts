// One run of ffmpeg for a camera, from spawn to exit: its stdout cut into frames (paired with
// their plate pictures from the plate socket, when camera.plate_pixels asks for them), its stderr
// kept (passwords scrubbed) and read for the stream's sizes, the stall watchdog, and how the
// run ended (run-outcome.ts). The frame source starts one run after another (frame-source.ts).
import type { Logger } from 'pino';
import type { Clock } from '../shared/clock.js';
import type { YoungCollector } from '../shared/young-gc.js';
import type { CaptureCamera, FfmpegInvocation } from './ffmpeg-args.js';
import type { FfmpegExit, FfmpegProcess, FfmpegSpawner } from './ffmpeg-process.js';
import { FrameAssembler } from './frame-assembler.js';
import { FrameGate } from './frame-gate.js';
import { FramePairer } from './frame-pairer.js';
import { losslessWindow } from './handoff.js';
import type { PlateSocket } from './plate-socket.js';
import { classifyRun, type RunOutcome } from './run-outcome.js';
import type { SourceListDir } from './source-list.js';
import { StallWatchdog } from './stall-watchdog.js';
import type { StderrTail } from './stderr-tail.js';
import type { StreamGeometry } from './stream-geometry.js';
import { StreamInfoParser } from './stream-info.js';
import { terminateFfmpeg, type TerminateReason } from './terminate.js';

/** What every run of one source shares, built once by the frame source. */
export interface RunContext {
  readonly camera: CaptureCamera;
  readonly invocation: FfmpegInvocation;
  readonly log: Logger;
  readonly clock: Clock;
  readonly spawn: FfmpegSpawner;
  /** Grace between SIGTERM and SIGKILL, ms. */
  readonly killGraceMs: number;
  /** Hold ffmpeg back through its pipe (frame-gate.ts) instead of letting frames be overtaken. */
  readonly lossless: boolean;
  /** The camera's URL with its password redacted, for log lines. */
  readonly safeUrl: string;
  /** Private list file for a camera URL with credentials (kept off ffmpeg's command line). */
  readonly sourceList: SourceListDir | null;
  /** ffmpeg's last stderr lines: cleared when a run starts, read after it ended. */
  readonly tail: StderrTail;
  readonly geometry: StreamGeometry;
  readonly pipeGarbage: YoungCollector;
  readonly counters: { stalls: number; partialBytes: number };
  /** Aborted once the source stops. */
  readonly stopped: AbortSignal;
  /** Where ffmpeg writes the plate pictures (camera.plate_pixels); null without them. */
  readonly plate: PlateSocket | null;
  /** A buffer of `frameBytes` for the next frame. */
  takeBuffer(): Buffer;
  /** A complete frame, read at clock time `now`, with its plate picture when there is one. */
  onFrame(data: Buffer, picture: Buffer | null, now: number): void;
}

export class FfmpegRun {
  private process: FfmpegProcess | null = null;
  private frameGate: FrameGate | null;
  private frames = 0;
  /** ffmpeg opened the stream and described its video (the camera answered). */
  private opened = false;
  private watchdog: StallWatchdog | null = null;
  private readonly streamInfo = new StreamInfoParser();
  private readonly assembler: FrameAssembler;
  /** Frames matched with their plate pictures; null without them. */
  private readonly pairer: FramePairer | null;

  constructor(private readonly ctx: RunContext) {
    const bytes = ctx.invocation.frameBytes;
    const plate = ctx.plate;
    this.pairer = plate ? new FramePairer({ emit: (data, picture) => this.onFrame(data, picture), drop: (picture) => plate.spare.keep(picture) }) : null;
    const pairer = this.pairer;
    this.assembler = new FrameAssembler(bytes, () => ctx.takeBuffer(), pairer ? (data) => pairer.frame(data) : (data) => this.onFrame(data, null));
    this.frameGate = ctx.lossless ? new FrameGate(bytes, losslessWindow(ctx.invocation)) : null;
  }

  /** The running ffmpeg: null before it is spawned and once it has exited. */
  get proc(): FfmpegProcess | null {
    return this.process;
  }

  /** This run's gate (lossless hand-off only): null once ffmpeg has exited. */
  get gate(): FrameGate | null {
    return this.frameGate;
  }

  /** Spawns ffmpeg; resolves once it has exited, with how the run ended. */
  async run(): Promise<RunOutcome> {
    this.ctx.tail.clear();
    this.writeSourceList();
    this.attachPlatePictures();
    const proc = this.spawn();
    const stall = this.watch(proc);
    let exit: FfmpegExit;
    try {
      exit = await proc.exited;
    } finally {
      stall.stop();
      this.process = null;
      this.frameGate = null;
      // A picture still in the socket after exit is lost; its frame goes on without it.
      this.ctx.plate?.detach();
      this.pairer?.flush();
    }
    return this.outcome(exit, stall.stalled);
  }

  /** Ends ffmpeg, if it still runs: SIGTERM, then SIGKILL after the grace. */
  terminate(why: TerminateReason): void {
    if (this.process) this.kill(this.process, why);
  }

  private attachPlatePictures(): void {
    const pairer = this.pairer;
    const plate = this.ctx.plate;
    if (!pairer || !plate) return;
    // Read straight into picture buffers: no pipe garbage to count (plate-socket.ts).
    plate.attach((picture) => pairer.picture(picture));
  }

  private writeSourceList(): void {
    const list = this.ctx.invocation.sourceList;
    if (!list || !this.ctx.sourceList) return;
    try {
      this.ctx.sourceList.write(list.text);
    } catch (err) {
      // ffmpeg then fails to open it: an ordinary failed attempt, retried with backoff
      this.ctx.log.error({ event: 'source_list_failed', err: String(err) }, 'cannot write the private source list for ffmpeg');
    }
  }

  private spawn(): FfmpegProcess {
    const gate = this.frameGate;
    const proc = this.ctx.spawn(this.ctx.invocation, {
      ...(gate ? { gate } : {}),
      onData: (chunk) => this.assembler.push(chunk),
      onStderrLine: (line) => this.onStderrLine(line),
    });
    this.process = proc;
    this.ctx.log.debug({ event: 'ffmpeg_start', url: this.ctx.safeUrl }, 'starting ffmpeg');
    return proc;
  }

  private watch(proc: FfmpegProcess): StallWatchdog {
    const { camera, log, safeUrl } = this.ctx;
    const gate = this.frameGate;
    const stall = new StallWatchdog(this.ctx.clock, camera.stall_timeout_s * 1000, () => gate?.behind ?? false, () => {
      this.ctx.counters.stalls++;
      log.warn(
        { event: 'camera_stalled', error_type: 'RSA_CAMERA_STALLED', url: safeUrl, stall_timeout_s: camera.stall_timeout_s, pid: proc.pid() },
        `no frame for ${camera.stall_timeout_s} s: killing ffmpeg`,
      );
      this.kill(proc, 'stall');
    });
    this.watchdog = stall;
    return stall;
  }

  private onFrame(data: Buffer, picture: Buffer | null): void {
    this.frames++;
    const now = this.ctx.clock.now();
    this.watchdog?.activity(now);
    this.ctx.onFrame(data, picture, now);
    // The pipe chunks this frame was copied from are garbage now (shared/young-gc.ts).
    this.ctx.pipeGarbage.add(this.ctx.invocation.frameBytes);
  }

  private onStderrLine(line: string): void {
    const { sourceList, safeUrl } = this.ctx;
    // ffmpeg names the private list where it would name the camera: say which camera.
    const named = sourceList ? line.split(sourceList.path).join(safeUrl) : line;
    const sizes = this.streamInfo.push(this.ctx.tail.push(named));
    if (!sizes) return;
    this.opened = true;
    if (!this.ctx.geometry.update(sizes)) this.terminate('size');
  }

  private kill(proc: FfmpegProcess, why: TerminateReason): void {
    terminateFfmpeg(proc, why, this.ctx.killGraceMs, this.ctx.log, () => {
      // A gated ffmpeg blocked on its pipe must be able to write its way out.
      if (proc === this.process) this.frameGate?.release();
    });
  }

  private outcome(exit: FfmpegExit, stalled: boolean): RunOutcome {
    const partial = this.assembler.reset();
    if (partial > 0) this.ctx.counters.partialBytes += partial;
    const { frames, opened, ctx } = this;
    if (ctx.stopped.aborted) return { kind: 'stopped', frames, exit, stalled, code: 'RSA_CAMERA_UNREACHABLE', reason: 'stopped' };
    return classifyRun({ exit, frames, stalled, opened, stderr: (n) => ctx.tail.last(n) }, ctx.camera, ctx.invocation.kind);
  }
}
