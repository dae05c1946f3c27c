// `roadside-agent replay VIDEO --config FILE [--out DIR]`: a video file through the whole
// pipeline (capture → detect → violations) as fast as possible. Each violation is printed as one
// JSON line on stdout (evidence as file names + sha256) and its JPEGs are written to --out.
//
// Deterministic: the clock is the video's own time (frame seq / detect fps from --start), not
// the wall clock, so the same file and config give the same violations, times and plates.
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import ffmpeg from 'fluent-ffmpeg';
import pino from 'pino';
import { createFrameSource, type FfmpegExit, type FfmpegSpawner } from '../capture/index.js';
import { loadConfig } from '../config/load.js';
import { createDetector } from '../detect/detector.js';
import { createViolationStage } from '../rules/violation-stage.js';
import type { Clock } from '../shared/clock.js';
import { isAgentError } from '../shared/errors.js';
import { EXIT } from '../shared/exit-codes.js';
import type { Violation } from '../shared/types.js';
import { reportConfigError } from './check-config.js';
import type { RegisterVerb } from './context.js';
import type { CommandIo } from './io.js';

export interface ReplayOptions {
  config: string;
  out: string;
  /** Video time 0 as an ISO date (default 1970-01-01T00:00:00Z). */
  start?: string;
  /** pino level of the log lines written to stderr (default: the config's). */
  logLevel?: string;
}

export interface ReplaySummary {
  frames: number;
  /** Frames the capture stage dropped (latest-frame-wins) because detection was busy. */
  dropped: number;
  violations: number;
  wallMs: number;
}

/** A violation as replay prints it: the record without the JPEG bytes. */
export function violationLine(v: Violation, files: readonly string[]): Record<string, unknown> {
  return {
    ...v,
    occurredAtIso: new Date(v.occurredAt).toISOString(),
    evidence: v.evidence.map((e, i) => ({ kind: e.kind, file: files[i], sha256: e.sha256, width: e.width, height: e.height, bytes: e.jpeg.length })),
  };
}

/**
 * Lossless replay. The capture stage hands frames over latest-wins (right for a live camera:
 * a frame that waits is dropped), so a file read as fast as possible would lose every frame
 * decoded while detection was busy, and which ones would vary from run to run. Replay instead
 * holds ffmpeg back through the pipe: bytes pass to the frame source only up to one frame ahead
 * of what the consumer took (`grant()` after each frame taken), the rest waits in the pipe
 * (its write callback is held), so nothing is dropped and memory stays at one frame ahead.
 */
export class ReplayGate {
  private credit: number;
  private held: { chunk: Buffer; onData: (c: Buffer) => void; done: () => void } | null = null;

  constructor(private readonly frameBytes: number) {
    this.credit = frameBytes;
  }

  write(chunk: Buffer, onData: (c: Buffer) => void, done: () => void): void {
    const n = Math.min(this.credit, chunk.length);
    if (n > 0) {
      this.credit -= n;
      onData(n === chunk.length ? chunk : chunk.subarray(0, n));
    }
    if (n === chunk.length) done();
    else this.held = { chunk: chunk.subarray(n), onData, done };
  }

  /** The consumer took a frame: let one more through. */
  grant(): void {
    this.credit += this.frameBytes;
    const h = this.held;
    this.held = null;
    if (h) this.write(h.chunk, h.onData, h.done);
  }

  /** ffmpeg is gone: forget what it wrote last. */
  drop(): void {
    this.held = null;
  }
}

/** fluent-ffmpeg, as capture's own spawner runs it, with the pipe gated by `gate`. */
export function gatedSpawner(gate: ReplayGate): FfmpegSpawner {
  return (invocation, handlers) => {
    let child: ChildProcess | null = null;
    let pendingSignal: NodeJS.Signals | null = null;
    let settled = false;
    let resolveExit!: (exit: FfmpegExit) => void;
    const exited = new Promise<FfmpegExit>((resolveP) => {
      resolveExit = (exit) => {
        if (settled) return;
        settled = true;
        gate.drop();
        resolveP(exit);
      };
    });
    const sink = new Writable({
      emitClose: false,
      autoDestroy: false,
      write(chunk: Buffer, _encoding, callback) {
        gate.write(chunk, (c) => handlers.onData(c), () => callback());
      },
    });
    const command = ffmpeg({ stdoutLines: 50 })
      .input(invocation.input)
      .inputOptions(...invocation.inputOptions)
      .outputOptions(...invocation.outputOptions)
      .output(sink);
    command.on('start', () => {
      const proc = (command as unknown as { ffmpegProc?: ChildProcess }).ffmpegProc ?? null;
      if (!proc) return;
      child = proc;
      proc.once('close', (code: number | null, signal: NodeJS.Signals | null) => resolveExit({ code, signal }));
      if (pendingSignal) proc.kill(pendingSignal);
    });
    command.on('stderr', (line: string) => handlers.onStderrLine(line));
    command.on('error', (err: Error) => {
      if (child === null) resolveExit({ code: null, signal: null, error: err });
    });
    command.on('end', () => undefined);
    command.run();
    return {
      pid: () => child?.pid,
      kill(signal) {
        if (settled) return;
        if (child) child.kill(signal);
        else pendingSignal = signal;
      },
      exited,
    };
  };
}

function writeEvidence(dir: string, v: Violation): string[] {
  return v.evidence.map((e) => {
    const name = `${v.id}-${e.kind}.jpg`;
    writeFileSync(join(dir, name), e.jpeg);
    return name;
  });
}

export async function replayCommand(video: string, options: ReplayOptions, io: CommandIo, signal?: AbortSignal): Promise<number> {
  let loaded;
  try {
    loaded = loadConfig(options.config, { env: io.env });
  } catch (err) {
    return reportConfigError(err, io);
  }
  const { config } = loaded;
  const start = options.start === undefined ? 0 : Date.parse(options.start);
  if (!Number.isFinite(start)) {
    io.err(`replay: --start ${options.start}: not a date`);
    return EXIT.USAGE;
  }
  const logger = pino(
    { level: options.logLevel ?? config.operate.log_level, base: { camera: config.camera.id, verb: 'replay' } },
    { write: (line: string) => io.err(line.trimEnd()) },
  );
  const outDir = resolve(options.out);
  mkdirSync(outDir, { recursive: true });

  let detector;
  try {
    detector = await createDetector(loaded, logger);
  } catch (err) {
    if (isAgentError(err, 'RSA_MODEL_MISSING') || isAgentError(err, 'RSA_MODEL_LOAD') || isAgentError(err, 'RSA_MODEL_SHAPE')) {
      io.err(`replay: ${err.code}: ${err.message}`);
      return EXIT.CONFIG;
    }
    throw err;
  }

  // The video's own time: set before each frame goes through, read by every stage that asks.
  let videoNow = start;
  const clock: Clock = { now: () => videoNow };
  const fps = config.camera.detect.fps;
  const stage = createViolationStage({
    rules: config.rules,
    dedup: config.dedup,
    camera: { id: config.camera.id, location: config.camera.location },
    clock,
    logger,
    evidence: { jpegQuality: config.queue.jpeg_quality },
    models: detector.modelIds,
  });
  const gate = new ReplayGate(config.camera.detect.width * config.camera.detect.height * 3);
  const source = createFrameSource({
    camera: { ...config.camera, source: { ...config.camera.source, url: resolve(video), loop: false, realtime: false } },
    logger,
    spawn: gatedSpawner(gate),
    ...(signal ? { signal } : {}),
  });

  let printed = 0;
  const emit = (vs: Violation[]): void => {
    for (const v of vs) {
      io.out(JSON.stringify(violationLine(v, writeEvidence(outDir, v))));
      printed++;
    }
  };
  const t0 = performance.now();
  let frames = 0;
  try {
    for (;;) {
      const frame = await source.next(signal);
      if (frame === null) break;
      gate.grant();
      videoNow = start + (frame.seq * 1000) / fps;
      const analysis = await detector.analyze({ ...frame, capturedAt: videoNow });
      frames++;
      emit(await stage.push(analysis));
    }
    // End of the file: every open track ends here.
    emit(await stage.flush());
  } catch (err) {
    if (isAgentError(err, 'RSA_CAMERA_UNREACHABLE')) {
      io.err(`replay: ${err.code}: ${err.message}`);
      return EXIT.FAILURE;
    }
    throw err;
  } finally {
    await source.stop();
    await detector.close();
  }
  const s = stage.stats();
  const summary: ReplaySummary & Record<string, unknown> = {
    frames,
    dropped: source.stats().dropped,
    violations: printed,
    wallMs: Math.round(performance.now() - t0),
    fps: Math.round((frames / Math.max(1, performance.now() - t0)) * 1000 * 10) / 10,
    tracks: s.tracksStarted,
    candidates: s.candidates,
    duplicates: s.duplicates,
    provider: detector.provider,
    out: outDir,
  };
  io.err(`replay: ${JSON.stringify(summary)}`);
  return EXIT.OK;
}

export const registerReplay: RegisterVerb = (program, ctx) => {
  program
    .command('replay')
    .description('Run a video file through the whole pipeline as fast as possible, printing each violation as a JSON line.')
    .argument('<video>', 'video file')
    .requiredOption('-c, --config <file>', 'per-camera config file')
    .option('-o, --out <dir>', 'folder for the evidence JPEGs', './replay-out')
    .option('--start <iso-date>', 'wall time of the first frame (times are video time from here)', '1970-01-01T00:00:00Z')
    .option('--log-level <level>', "level of the log lines on stderr (default: the config's)")
    .action(async (video: string, opts: ReplayOptions) => ctx.exit(await replayCommand(video, opts, ctx.io)));
};
