// `roadside-agent replay VIDEO --config FILE [--out DIR]`: a video file through the whole
// pipeline (capture → detect → violations) as fast as possible, losing no frame. Each violation is printed as one
// JSON line on stdout (evidence as file names + sha256) and its JPEGs are written to --out.
// With --frames-every N, every Nth frame is also written there annotated (boxes, verdicts, and
// where the scene detector looked: regions in yellow, motion in cyan).
//
// Deterministic: the clock is the video's own time (frame seq / detect fps from --start), not
// the wall clock, so the same file and config give the same violations, times and plates.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InvalidArgumentError } from 'commander';
import pino from 'pino';
import { createFrameSource } from '../capture/index.js';
import { loadConfig } from '../config/load.js';
import { annotatedJpeg } from '../detect/annotate.js';
import { createDetector } from '../detect/detector.js';
import { violationStageFor } from '../rules/violation-stage.js';
import type { Clock } from '../shared/clock.js';
import { isAgentError } from '../shared/errors.js';
import { EXIT } from '../shared/exit-codes.js';
import type { Violation } from '../shared/types.js';
import { ScanStats } from '../operate/scan-stats.js';
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
  /** Write every Nth frame annotated to --out as frame-<seq>.jpg (0 or absent: none). */
  framesEvery?: number;
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
 * Replay is lossless: the capture stage's default hand-off is latest-wins (right for a live
 * camera), which on a file read as fast as possible would lose every frame decoded while
 * detection was busy, differently from run to run. Replay asks capture for its lossless
 * hand-off instead (ffmpeg held back through the pipe, one frame ahead; see FrameGate).
 */
/** The gate replay used to own, now capture's (kept under its old name for callers). */
export { FrameGate as ReplayGate } from '../capture/index.js';

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
    detector = await createDetector(loaded, logger, { scan: config.regions.enabled ? 'regions' : 'whole' });
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
  const stage = violationStageFor(config, { clock, logger, models: detector.modelIds });
  const source = createFrameSource({
    camera: { ...config.camera, source: { ...config.camera.source, url: resolve(video), loop: false, realtime: false } },
    logger,
    handoff: 'lossless',
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
  const scans = new ScanStats();
  const every = options.framesEvery ?? 0;
  try {
    for (;;) {
      const frame = await source.next(signal);
      if (frame === null) break;
      videoNow = start + (frame.seq * 1000) / fps;
      const analysis = await detector.analyze({ ...frame, capturedAt: videoNow });
      scans.observe(analysis);
      if (every > 0 && frame.seq % every === 0) writeFileSync(join(outDir, `frame-${String(frame.seq).padStart(6, '0')}.jpg`), await annotatedJpeg(analysis));
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
  const scan = scans.snapshot();
  const frames = scan.frames;
  const summary: ReplaySummary & Record<string, unknown> = {
    frames,
    dropped: source.stats().dropped,
    violations: printed,
    wallMs: Math.round(performance.now() - t0),
    fps: Math.round((frames / Math.max(1, performance.now() - t0)) * 1000 * 10) / 10,
    tracks: s.tracksStarted,
    candidates: s.candidates,
    duplicates: s.duplicates,
    parked: s.parked,
    scene_runs: scan.sceneInferences,
    frames_without_inference: scan.framesWithoutInference,
    plate_searches: { searched: scan.plateSearches, skipped: scan.plateSearchesSkipped },
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
    .option('--frames-every <n>', 'also write every nth frame annotated (boxes, regions, motion) to --out', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`--frames-every ${v}: a whole number ≥ 1`);
      return n;
    })
    .action(async (video: string, opts: ReplayOptions) => ctx.exit(await replayCommand(video, opts, ctx.io)));
};
