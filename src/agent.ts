/**
 * The composition root: the only file that knows every stage. It builds them from one
 * validated config (agent/compose.ts, then agent/operate.ts for what watches them), wires
 * frames → detect (worker thread) → violations → queue → flush, and owns start-up and
 * shutdown.
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
import type { LoadedConfig } from './config/load.js';
import type { AgentPhase } from './operate/health.js';
import { createNotifier } from './operate/notify.js';
import { createShutdown, type ShutdownProcess } from './operate/shutdown.js';
import { systemClock, type Clock } from './shared/clock.js';
import { describeError, isAgentError } from './shared/errors.js';
import type { AgentLogger, Logger } from './shared/logger.js';
import type { FrameAnalysis, Violation } from './shared/types.js';
import { EXIT } from './shared/exit-codes.js';
import { agentVersion } from './shared/version.js';
import { Closers } from './agent/closers.js';
import { composeStages, type AgentContext, type AgentParts } from './agent/compose.js';
import { startOperate } from './agent/operate.js';
import { runPipeline } from './agent/pipeline.js';

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
  let phase: AgentPhase = 'starting';
  const ctx: AgentContext = { loaded, clock, env, logger, log, startedAt: clock.now(), phase: () => phase, allowConfigWrite: options.allowConfigWrite ?? false };

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
  const closers = new Closers(log);
  let parts: AgentParts;
  let observe: (analysis: FrameAnalysis) => void;

  try {
    parts = await composeStages(ctx, closers);
    observe = await startOperate(ctx, parts, notifier, closers);
    closers.add(() => notifier.close());
  } catch (err) {
    removeSignalHandlers();
    await closers.closeAll();
    throw err;
  }
  const { source, detector, stage, queue, hold, flusher, ui, counters, heartbeats } = parts;

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
      observe,
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
      await closers.closeAll();
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
