// A fake ffmpeg for FrameSource unit tests: the test decides what it writes and when it exits,
// and sees every signal it was sent.
import pino from 'pino';
import type { Logger } from 'pino';
import type { FfmpegExit, FfmpegHandlers, FfmpegProcess, FfmpegSpawner } from '../../src/capture/ffmpeg-process.js';
import type { FfmpegInvocation } from '../../src/capture/ffmpeg-args.js';
import type { CaptureCamera } from '../../src/capture/ffmpeg-args.js';

export class FakeFfmpeg implements FfmpegProcess {
  readonly signals: NodeJS.Signals[] = [];
  readonly exited: Promise<FfmpegExit>;
  private resolveExit!: (exit: FfmpegExit) => void;
  done = false;
  /** What the fake does on a signal; by default it dies of it. */
  onSignal: (signal: NodeJS.Signals) => void = (signal) => this.exit({ code: null, signal });

  constructor(
    readonly invocation: FfmpegInvocation,
    readonly handlers: FfmpegHandlers,
    readonly fakePid: number,
  ) {
    this.exited = new Promise((resolve) => (this.resolveExit = resolve));
  }

  pid(): number | undefined {
    return this.done ? undefined : this.fakePid;
  }

  kill(signal: NodeJS.Signals): void {
    if (this.done) return;
    this.signals.push(signal);
    this.onSignal(signal);
  }

  /** Writes `count` whole frames, each filled with its own byte value, in one chunk. */
  frames(count: number, fill = (i: number) => i & 0xff): void {
    const size = this.invocation.frameBytes;
    const chunk = Buffer.alloc(size * count);
    for (let i = 0; i < count; i++) chunk.fill(fill(i), i * size, (i + 1) * size);
    this.handlers.onData(chunk);
  }

  stderr(...lines: string[]): void {
    for (const l of lines) this.handlers.onStderrLine(l);
  }

  exit(exit: FfmpegExit): void {
    if (this.done) return;
    this.done = true;
    this.resolveExit(exit);
  }
}

export interface FakeSpawner {
  spawn: FfmpegSpawner;
  procs: FakeFfmpeg[];
  /** Resolves with the n-th spawned process (0-based) once it exists. */
  nth(n: number): Promise<FakeFfmpeg>;
}

export function fakeSpawner(setup: (proc: FakeFfmpeg, index: number) => void = () => undefined): FakeSpawner {
  const procs: FakeFfmpeg[] = [];
  const waiters = new Map<number, Array<(p: FakeFfmpeg) => void>>();
  return {
    procs,
    spawn(invocation, handlers) {
      const proc = new FakeFfmpeg(invocation, handlers, 10_000 + procs.length);
      const index = procs.length;
      procs.push(proc);
      setup(proc, index);
      for (const w of waiters.get(index) ?? []) w(proc);
      waiters.delete(index);
      return proc;
    },
    nth(n) {
      const existing = procs[n];
      if (existing) return Promise.resolve(existing);
      return new Promise((resolve) => waiters.set(n, [...(waiters.get(n) ?? []), resolve]));
    },
  };
}

export interface LogCapture {
  logger: Logger;
  lines: Array<Record<string, unknown>>;
  raw: string[];
  events(name: string): Array<Record<string, unknown>>;
}

export function captureLogs(): LogCapture {
  const raw: string[] = [];
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino(
    { level: 'debug' },
    {
      write(s: string) {
        raw.push(s);
        lines.push(JSON.parse(s) as Record<string, unknown>);
      },
    },
  );
  return { logger, lines, raw, events: (name) => lines.filter((l) => l.event === name) };
}

export function camera(overrides: { url?: string; loop?: boolean; realtime?: boolean; stall_timeout_s?: number } = {}): CaptureCamera {
  return {
    id: 'cam-test',
    source: {
      url: overrides.url ?? 'rtsp://admin:s3cr3t-pass@127.0.0.1:8554/live',
      rtsp_transport: 'tcp',
      wallclock_timestamps: true,
      timeout_s: 5,
      loop: overrides.loop ?? false,
      realtime: overrides.realtime ?? true,
      hwaccel: 'none',
    },
    detect: { width: 8, height: 4, fps: 5 },
    stall_timeout_s: overrides.stall_timeout_s ?? 60,
    reconnect: { initial_s: 1, max_s: 8, factor: 2, jitter: 0.2 },
  };
}
