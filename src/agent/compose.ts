// Start-up of the stages, built from the validated config in the order their log lines appear:
// the SQLite queue (with the hold in front of it), the detector worker, the violation stage,
// the installer page, the MySQL flusher and the frame source. Each thing opened is added to
// `closers`, so a start-up that fails half-way closes again what it had opened.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createFrameSource, defaultHandoff, type FrameSource } from '../capture/index.js';
import { readPassword } from '../config/credentials.js';
import type { LoadedConfig } from '../config/load.js';
import type { Detector } from '../detect/detector.js';
import { createWorkerDetector } from '../detect/worker-detector.js';
import { createFlusher, type Flusher, type FlusherOptions } from '../flush/flusher.js';
import { evaluateHealth, type AgentPhase, type HealthRules } from '../operate/health.js';
import { createHeartbeats } from '../operate/heartbeats.js';
import { LastFrameMark } from '../operate/last-frame-mark.js';
import { ScanStats } from '../operate/scan-stats.js';
import { createInstallerUi, type InstallerUi } from '../operate/ui/index.js';
import { Queue } from '../queue/queue.js';
import { StoreHold } from '../queue/store-hold.js';
import { violationStageFor } from '../rules/violation-stage.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import { agentVersion } from '../shared/version.js';
import type { Closers } from './closers.js';
import { healthSnapshot, RateMeter, type PipelineCounters, type TelemetryParts } from './telemetry.js';

/** What every part of start-up reads. */
export interface AgentContext {
  loaded: LoadedConfig;
  clock: Clock;
  env: NodeJS.ProcessEnv;
  /** The camera's logger; the stages make their own children of it. */
  logger: Logger;
  /** The agent's own log (stage "agent"). */
  log: Logger;
  startedAt: number;
  phase: () => AgentPhase;
  allowConfigWrite: boolean;
}

/** The stages start-up built, with the counters and probes the snapshots read beside them. */
export interface AgentParts extends TelemetryParts {
  ui: InstallerUi;
  healthRules: HealthRules;
}

export async function composeStages(ctx: AgentContext, closers: Closers): Promise<AgentParts> {
  const { loaded, clock, env, logger, log } = ctx;
  const { config } = loaded;
  const probes = createProbes(ctx);
  const { counters } = probes;
  const { queue, hold, frameMark } = openQueue(ctx, closers);
  const password = readPassword(config.central, env);
  log.info({ from: password.from }, 'MySQL password source');
  const detector = await startDetector(ctx, closers);
  const stage = violationStageFor(config, { clock, logger, models: detector.modelIds });
  const healthRules = { maxFrameAgeS: config.operate.health.max_frame_age_s, maxPendingAgeS: config.operate.health.max_pending_age_s };
  // The page reads the health report at each request, long after `parts` below is built.
  const ui = createInstallerUi({
    loaded,
    health: () => evaluateHealth(healthSnapshot(parts), clock.now(), healthRules),
    allowConfigWrite: ctx.allowConfigWrite,
    logger,
    clock,
    env,
  });
  const flusher = startFlusher(ctx, closers, {
    password: password.password,
    queue: ui.watchQueue(queue),
    stats: () => ({ frames: counters.framesProcessed, violations: hold.counters.stored + hold.counters.storedLater, provider: detector.provider }),
  });
  const source = startSource(ctx, closers);
  const parts: AgentParts = { ...probes, source, stage, queue, hold, flusher, detector, frameMark, ui, healthRules };
  return parts;
}

type Probes = Pick<TelemetryParts, 'cameraId' | 'clock' | 'startedAt' | 'phase' | 'counters' | 'meter' | 'heartbeats' | 'scans'>;

/** What the snapshots read besides the stages: the agent's own counters, rates and heartbeats. */
function createProbes(ctx: AgentContext): Probes {
  const { clock, loaded } = ctx;
  const counters: PipelineCounters = { framesProcessed: 0, detectErrors: 0 };
  const defaultMaxSilenceMs = loaded.config.operate.watchdog.max_loop_silence_s * 1000;
  return {
    cameraId: loaded.config.camera.id,
    clock,
    startedAt: ctx.startedAt,
    phase: ctx.phase,
    counters,
    meter: new RateMeter(clock),
    heartbeats: createHeartbeats({ clock, defaultMaxSilenceMs }),
    scans: new ScanStats(),
  };
}

/** The SQLite queue, the hold for what it cannot take now, and the last-frame mark beside it. */
function openQueue(ctx: AgentContext, closers: Closers): { queue: Queue; hold: StoreHold; frameMark: LastFrameMark } {
  const { loaded, clock, logger, log } = ctx;
  const { config } = loaded;
  mkdirSync(loaded.stateDir, { recursive: true });
  const queue = Queue.open({ file: loaded.queueFile, maxBytes: config.queue.max_bytes, logger: logger.child({ stage: 'queue' }), clock, stopMark: true });
  closers.add(() => queue.close());
  const qs = queue.stats();
  log.info({ file: qs.file, pending: qs.pending, dead: qs.dead }, 'queue open');
  const frameMark = new LastFrameMark(join(loaded.stateDir, `${config.camera.id}.last-frame`), log);
  const holdLimits = { maxRecords: config.queue.hold.max_records, maxBytes: config.queue.hold.max_bytes };
  const hold = new StoreHold(queue, holdLimits, logger.child({ stage: 'queue' }), () => clock.now());
  return { queue, hold, frameMark };
}

async function startDetector(ctx: AgentContext, closers: Closers): Promise<Detector> {
  const detector = await createWorkerDetector(ctx.loaded, ctx.logger);
  closers.add(() => detector.close());
  ctx.log.info(
    { provider: detector.provider, configured: ctx.loaded.config.models.provider, fallback: detector.fallbackReason, models: detector.modelIds },
    `detect running on ${detector.provider}`,
  );
  return detector;
}

function startFlusher(ctx: AgentContext, closers: Closers, o: Pick<FlusherOptions, 'password' | 'queue' | 'stats'>): Flusher {
  const { config } = ctx.loaded;
  const flusher = createFlusher({
    central: config.central,
    password: o.password,
    queue: o.queue,
    logger: ctx.logger,
    cameraId: config.camera.id,
    cameraLocation: config.camera.location,
    agentVersion: agentVersion(),
    stats: o.stats,
    clock: ctx.clock,
  });
  closers.add(() => flusher.close());
  return flusher;
}

function startSource(ctx: AgentContext, closers: Closers): FrameSource {
  const { camera } = ctx.loaded.config;
  // A file read as fast as possible (replay, benchmarks) is read lossless: ffmpeg waits for the
  // pipeline instead of decoding frames only to drop them. Cameras stay latest-frame-wins.
  const source = createFrameSource({ camera, logger: ctx.logger, clock: ctx.clock, handoff: defaultHandoff(camera) });
  closers.add(() => source.stop());
  return source;
}
