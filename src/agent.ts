/**
 * The composition root: the only file that knows every stage. It builds them from one
 * validated config, wires frames → detect (worker thread) → violations → queue → flush, and
 * owns start-up and shutdown.
 *
 * Back-pressure policy: frames may be shed (latest frame wins in capture, counted as
 * dropped); violations never are: each is committed to the SQLite queue before anything else
 * happens to it, and one that cannot be stored is logged at ERROR with its whole metadata.
 *
 * Shutdown (SIGTERM/SIGINT, or the end of a non-looping file), in order: stop capture and let
 * the frame in flight finish; close the open tracks into violations and queue them; one last
 * flush with central.drain_deadline_s; then close the detector worker, SQLite, MySQL, the
 * health endpoint. A second signal exits at once; SQLite's WAL keeps the queue intact.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createFrameSource, defaultHandoff, type FrameSource } from './capture/index.js';
import { readPassword } from './config/credentials.js';
import type { LoadedConfig } from './config/load.js';
import { createWorkerDetector } from './detect/worker-detector.js';
import type { Detector } from './detect/detector.js';
import { createFlusher, type Flusher } from './flush/flusher.js';
import { evaluateHealth, startHealthServer, type HealthServer, type AgentPhase } from './operate/health.js';
import { createHeartbeats } from './operate/heartbeats.js';
import { createMetrics } from './operate/metrics.js';
import { LastFrameMark } from './operate/last-frame-mark.js';
import { createNotifier } from './operate/notify.js';
import { ScanStats } from './operate/scan-stats.js';
import { createShutdown, type ShutdownProcess } from './operate/shutdown.js';
import { createInstallerUi, type InstallerUi } from './operate/ui/index.js';
import { createWatchdog, eventLoopLagProbe, livenessCheck, watchdogIntervalMs } from './operate/watchdog.js';
import { Queue } from './queue/queue.js';
import { StoreHold } from './queue/store-hold.js';
import { violationStageFor, type ViolationStage } from './rules/violation-stage.js';
import { systemClock, type Clock } from './shared/clock.js';
import { describeError, isAgentError } from './shared/errors.js';
import type { AgentLogger, Logger } from './shared/logger.js';
import type { FrameAnalysis, Violation } from './shared/types.js';
import { EXIT } from './shared/exit-codes.js';
import { agentVersion } from './shared/version.js';
import { runPipeline } from './agent/pipeline.js';
import { healthSnapshot, metricsSnapshot, RateMeter, type PipelineCounters, type TelemetryParts } from './agent/telemetry.js';

export interface AgentOptions {
  logs: AgentLogger;
  clock?: Clock;
  env?: NodeJS.ProcessEnv;
  /** Signals and exit; the real process by default. */
  proc?: ShutdownProcess;
  /** The installer page may write the zone into the config file (run --allow-config-write). */
  allowConfigWrite?: boolean;
}

/**
 * Runs the agent for one camera until it is stopped. Resolves with the exit code when the
 * source finished by itself (a non-looping file); on SIGTERM/SIGINT the shutdown exits the
 * process through `proc.exit` once the graceful stop is done.
 */
export async function runAgent(loaded: LoadedConfig, options: AgentOptions): Promise<number> {
  const { config } = loaded;
  const clock = options.clock ?? systemClock;
  const env = options.env ?? process.env;
  const logger: Logger = options.logs.logger.child({ camera: config.camera.id });
  const log = logger.child({ stage: 'agent' });
  const startedAt = clock.now();
  let phase: AgentPhase = 'starting';

  const notifier = createNotifier({ env, logger });
  const shutdown = createShutdown({
    deadlineMs: config.operate.shutdown_deadline_s * 1000,
    logger,
    onBegin: async (reason) => {
      phase = 'stopping';
      await notifier.stopping(`stopping: ${reason}`);
    },
    beforeExit: () => options.logs.flush(),
    ...(options.proc ? { proc: options.proc } : {}),
  });
  shutdown.onReopen(() => options.logs.reopen());
  const removeSignalHandlers = shutdown.installSignalHandlers();

  // Everything opened so far is closed again if start-up fails half-way.
  const opened: Array<() => Promise<void> | void> = [];
  const closeOpened = async (): Promise<void> => {
    for (const close of opened.reverse()) await Promise.resolve().then(close).catch((err: unknown) => log.warn({ err: describeError(err) }, 'close failed'));
  };

  let queue: Queue;
  let hold: StoreHold;
  let frameMark: LastFrameMark;
  let detector: Detector;
  let stage: ViolationStage;
  let flusher: Flusher;
  let source: FrameSource;
  let health: HealthServer | null;
  let ui: InstallerUi;
  let telemetry: TelemetryParts;
  let observeTimings: (analysis: FrameAnalysis) => void = () => undefined;
  const counters: PipelineCounters = { framesProcessed: 0, detectErrors: 0 };
  const heartbeats = createHeartbeats({ clock, defaultMaxSilenceMs: config.operate.watchdog.max_loop_silence_s * 1000 });
  const meter = new RateMeter(clock);
  const scans = new ScanStats();

  try {
    mkdirSync(loaded.stateDir, { recursive: true });
    queue = Queue.open({ file: loaded.queueFile, maxBytes: config.queue.max_bytes, logger: logger.child({ stage: 'queue' }), clock, stopMark: true });
    opened.push(() => queue.close());
    const qs = queue.stats();
    log.info({ file: qs.file, pending: qs.pending, dead: qs.dead }, 'queue open');
    frameMark = new LastFrameMark(join(loaded.stateDir, `${config.camera.id}.last-frame`), log);
    hold = new StoreHold(queue, { maxRecords: config.queue.hold.max_records, maxBytes: config.queue.hold.max_bytes }, logger.child({ stage: 'queue' }), () => clock.now());

    const password = readPassword(config.central, env);
    log.info({ from: password.from }, 'MySQL password source');

    detector = await createWorkerDetector(loaded, logger);
    opened.push(() => detector.close());
    log.info(
      { provider: detector.provider, configured: config.models.provider, fallback: detector.fallbackReason, models: detector.modelIds },
      `detect running on ${detector.provider}`,
    );

    stage = violationStageFor(config, { clock, logger, models: detector.modelIds });
    const healthRules = { maxFrameAgeS: config.operate.health.max_frame_age_s, maxPendingAgeS: config.operate.health.max_pending_age_s };
    ui = createInstallerUi({
      loaded,
      health: () => evaluateHealth(healthSnapshot(telemetry), clock.now(), healthRules),
      allowConfigWrite: options.allowConfigWrite ?? false,
      logger,
      clock,
      env,
    });

    flusher = createFlusher({
      central: config.central,
      password: password.password,
      queue: ui.watchQueue(queue),
      logger,
      cameraId: config.camera.id,
      cameraLocation: config.camera.location,
      agentVersion: agentVersion(),
      stats: () => ({ frames: counters.framesProcessed, violations: hold.counters.stored + hold.counters.storedLater, provider: detector.provider }),
      clock,
    });
    opened.push(() => flusher.close());

    // A file read as fast as possible (replay, benchmarks) is read lossless: ffmpeg waits for the
    // pipeline instead of decoding frames only to drop them. Cameras stay latest-frame-wins.
    source = createFrameSource({ camera: config.camera, logger, clock, handoff: defaultHandoff(config.camera) });
    opened.push(() => source.stop());

    telemetry = {
      cameraId: config.camera.id,
      clock,
      startedAt,
      phase: () => phase,
      source,
      stage,
      queue,
      hold,
      flusher,
      detector,
      counters,
      meter,
      heartbeats,
      scans,
      frameMark,
    };
    const metrics = createMetrics({
      snapshot: () => metricsSnapshot(telemetry),
      info: { camera: config.camera.id, version: agentVersion(), provider: detector.provider },
    });
    // The endpoint is for watching the agent: failing to listen must not stop the camera.
    health = await startHealthServer({
      host: config.operate.health.host,
      port: config.operate.health.port,
      snapshot: () => healthSnapshot(telemetry),
      rules: healthRules,
      metrics,
      clock,
      logger,
      routes: (req, res) => ui.handle(req, res),
    }).catch((err: unknown) => {
      log.error({ code: 'RSA_HEALTH_LISTEN', err: describeError(err) }, 'health endpoint not started; the agent runs without it');
      return null;
    });
    opened.push(() => health?.close());
    if (health) log.info({ url: health.url }, 'health endpoint listening');

    observeTimings = (analysis: FrameAnalysis): void => {
      scans.observe(analysis);
      for (const [step, ms] of Object.entries(analysis.timings))
        if (step.endsWith('.model')) metrics.observeInference(step.slice(0, -'.model'.length), ms / 1000);
    };

    // Rates for /healthz, sampled on a timer so two scrapes in a row do not see zero.
    const rateTimer = setInterval(() => {
      const cs = source.stats();
      meter.sample([counters.framesProcessed, cs.dropped]);
      frameMark.note(cs.lastFrameAt, clock.now());
    }, 5000);
    rateTimer.unref();
    opened.push(() => clearInterval(rateTimer));

    // systemd watchdog: pings only while the event loop and the pipeline loop turn.
    const intervalMs = watchdogIntervalMs(env);
    if (intervalMs !== null) {
      const lag = eventLoopLagProbe();
      const watchdog = createWatchdog({
        ping: () => notifier.watchdog(),
        check: livenessCheck({ heartbeats, lag, maxEventLoopLagMs: config.operate.watchdog.max_event_loop_lag_ms }),
        intervalMs,
        logger: log,
      });
      watchdog.start();
      opened.push(() => {
        watchdog.stop();
        lag.stop();
      });
    }
    opened.push(() => notifier.close());
  } catch (err) {
    removeSignalHandlers();
    await closeOpened();
    throw err;
  }

  /**
   * Commits each violation to the queue before anything else happens to it; one the queue
   * cannot take now (disk full) waits in the hold and is stored as soon as it can be.
   */
  const store = (violations: readonly Violation[]): void => {
    if (hold.size > 0 && hold.retry() > 0) flusher.wake();
    for (const v of violations) {
      const r = hold.store(v);
      if (r.outcome === 'held') continue;
      ui.queued(v);
      flusher.wake();
      log.info(
        { event_id: v.id, plate: v.plateText, confidence: v.detectionConfidence, frames: v.frameCount, images_dropped: r.imagesDropped || undefined },
        'violation queued',
      );
    }
  };

  // The frame loop (agent/pipeline.ts); the shutdown below stops it through `intake`.
  const intake = new AbortController();
  const pipeline = runPipeline(
    {
      source,
      detector,
      stage,
      heartbeats,
      maxLoopSilenceMs: config.operate.watchdog.max_loop_silence_s * 1000,
      counters,
      log,
      observe: (analysis) => observeTimings(analysis),
      store,
      pushed: (analysis) => ui.observe(analysis, () => stage.tracks()),
    },
    intake.signal,
  );

  const flushing = flusher.start(shutdown.signal);

  shutdown.register({
    name: 'stop capture',
    phase: 'intake',
    run: async () => {
      intake.abort(new Error('shutdown'));
      await source.stop();
    },
  });
  shutdown.register({ name: 'finish frame in flight', phase: 'intake', run: async () => void (await pipeline.catch(() => 'stopped')) });
  shutdown.register({ name: 'close open tracks', phase: 'intake', run: async () => store(await stage.flush()) });
  shutdown.register({
    name: 'last flush',
    phase: 'intake',
    run: async () => {
      await flushing;
      const r = await flusher.drain();
      // Acks may have freed room for what the hold still has; what is left now is lost.
      hold.retry();
      const lost = hold.giveUpAll('still held at shutdown (the queue could not store it)');
      const left = queue.stats().pending;
      log.info({ delivered: r.delivered, timed_out: r.timedOut, left_in_queue: left, lost: lost || undefined }, 'last flush done');
    },
  });
  shutdown.register({
    name: 'close',
    phase: 'release',
    run: async () => {
      removeSignalHandlers();
      await closeOpened();
    },
  });

  phase = 'running';
  await notifier.ready(`camera ${config.camera.id}: running on ${detector.provider}`);
  log.info(
    { source: source.url, detect: config.camera.detect, provider: detector.provider, version: agentVersion() },
    'agent running',
  );

  let ended: 'finished' | 'stopped';
  try {
    ended = await pipeline;
  } catch (err) {
    log.error({ code: isAgentError(err) ? err.code : undefined, err: describeError(err) }, 'pipeline failed');
    const r = await shutdown.run('pipeline failed');
    // A source that can never be a video is a config error: exit 78, no restart loop.
    if (isAgentError(err, 'RSA_CAMERA_NOT_VIDEO')) return EXIT.CONFIG;
    return r.exitCode === 0 ? 1 : r.exitCode;
  }
  if (ended === 'finished') {
    log.info({ frames: counters.framesProcessed }, 'source finished');
    const r = await shutdown.run('source finished');
    return r.exitCode;
  }
  // Stopped by a signal: the shutdown's signal handler exits the process when it is done.
  const r = await shutdown.run('stopped');
  return r.exitCode;
}
