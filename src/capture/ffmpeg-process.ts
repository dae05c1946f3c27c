/**
 * How capture starts ffmpeg, behind a small interface so tests can inject a fake process.
 *
 * The real spawner goes through fluent-ffmpeg (the customer's choice): it builds the command
 * from our pure arguments, finds ffmpeg, spawns it and splits stderr into lines. Two things we
 * take from its ChildProcess (`command.ffmpegProc`) instead of its events, and why:
 *  - signals: fluent-ffmpeg's `kill()` only exists once the process does, but its spawn is
 *    asynchronous (it first checks ffmpeg's capabilities), so a stop that arrives earlier is
 *    remembered here and delivered the moment the process starts;
 *  - the outcome: fluent-ffmpeg reports `end` or `error` from the exit, but with an output
 *    stream it can also report a synthetic "Output stream closed" error when stdout closes
 *    first. The exit code and signal of the child itself are what capture classifies (exit 0
 *    from a live camera is a disconnect, not a finish), and `exited` resolves only after the
 *    child has exited and its pipes closed, so no ffmpeg is ever left behind unnoticed.
 */
import { Writable } from 'node:stream';
import type { ChildProcess } from 'node:child_process';
import ffmpeg from 'fluent-ffmpeg';
import type { FfmpegInvocation } from './ffmpeg-args.js';
import type { FrameGate } from './frame-gate.js';

export interface FfmpegExit {
  /** Exit code, null when killed by a signal or never started. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Set when ffmpeg could not be started at all (not found, spawn failure). */
  readonly error?: Error;
}

export interface FfmpegHandlers {
  /** Each stdout chunk, in order; called synchronously from the pipe's data events. */
  onData(chunk: Buffer): void;
  /** Each stderr line, raw (the caller scrubs it). */
  onStderrLine(line: string): void;
  /**
   * Lossless hand-off: stdout passes through this gate, which holds ffmpeg back in its pipe
   * when the consumer is behind. Absent: every chunk is taken at once.
   */
  gate?: FrameGate;
}

export interface FfmpegProcess {
  /** The child's pid once it runs (undefined before that or if it never started). */
  pid(): number | undefined;
  /** Sends a signal now or, if the process is not spawned yet, as soon as it is. */
  kill(signal: NodeJS.Signals): void;
  /** Resolves once the process has exited and its pipes have closed (or it never started). */
  readonly exited: Promise<FfmpegExit>;
}

export type FfmpegSpawner = (invocation: FfmpegInvocation, handlers: FfmpegHandlers) => FfmpegProcess;

export interface FluentSpawnerOptions {
  /** Path of the ffmpeg binary; default: fluent-ffmpeg's lookup (FFMPEG_PATH, then PATH). */
  ffmpegPath?: string;
}

export function fluentFfmpegSpawner(options: FluentSpawnerOptions = {}): FfmpegSpawner {
  return (invocation, handlers) => {
    let child: ChildProcess | null = null;
    let pendingSignal: NodeJS.Signals | null = null;
    let settled = false;
    let resolveExit!: (exit: FfmpegExit) => void;
    const exited = new Promise<FfmpegExit>((resolve) => {
      resolveExit = (exit) => {
        if (settled) return;
        settled = true;
        handlers.gate?.drop();
        resolve(exit);
      };
    });

    // Without a gate, takes every chunk at once: the reader never applies back-pressure to
    // ffmpeg (frames that are not wanted are dropped after assembly, not left in the pipe).
    // With one, a chunk's callback waits until the consumer wants more. No 'close' event, so
    // fluent-ffmpeg's "output stream closed" kill timer is never armed.
    const gate = handlers.gate;
    const onData = (c: Buffer): void => handlers.onData(c);
    const sink = new Writable({
      emitClose: false,
      autoDestroy: false,
      write(chunk: Buffer, _encoding, callback) {
        if (gate) {
          gate.write(chunk, onData, () => callback());
          return;
        }
        handlers.onData(chunk);
        callback();
      },
    });

    const command = ffmpeg({ stdoutLines: 50 });
    if (options.ffmpegPath) command.setFfmpegPath(options.ffmpegPath);
    // Spread so that fluent-ffmpeg does not split an option at a space (a device path may hold one).
    command
      .input(invocation.input)
      .inputOptions(...invocation.inputOptions)
      .outputOptions(...invocation.outputOptions)
      .output(sink);
    // The plate pictures: ffmpeg writes them to the capture stage's socket itself.
    if (invocation.plate) command.output(invocation.plate.target).outputOptions(...invocation.plate.outputOptions);

    command.on('start', () => {
      const proc = (command as unknown as { ffmpegProc?: ChildProcess }).ffmpegProc ?? null;
      if (!proc) return;
      child = proc;
      proc.once('close', (code: number | null, signal: NodeJS.Signals | null) => resolveExit({ code, signal }));
      if (pendingSignal) proc.kill(pendingSignal);
    });
    command.on('stderr', (line: string) => handlers.onStderrLine(line));
    command.on('error', (err: Error) => {
      // Before 'start' this is a failure to launch; after it, the child's 'close' decides.
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
