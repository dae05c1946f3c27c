/**
 * The composition root: the only file that knows every stage. It builds them from one
 * validated config (agent/compose.ts, then agent/operate.ts for what watches them), wires
 * frames → detect (worker thread) → violations → queue → flush (agent/running.ts), and owns
 * start-up and shutdown.
 *
 * Back-pressure policy: frames may be shed (latest frame wins in capture, counted as
 * dropped); violations never are: each is committed to the SQLite queue before anything else
 * happens to it, and one that cannot be stored is logged at ERROR with its whole metadata.
 *
 * Shutdown (SIGTERM/SIGINT, or the end of a non-looping file), in order (agent/shutdown-steps.ts):
 * stop capture and let the frame in flight finish; close the open tracks into violations and
 * queue them; one last flush with central.drain_deadline_s; then close the detector worker,
 * SQLite, MySQL, the health endpoint. A second signal exits at once; SQLite's WAL keeps the
 * queue intact.
 */
import type { LoadedConfig } from './config/load.js';
import type { AgentPhase } from './operate/health.js';
import { createNotifier, type Notifier } from './operate/notify.js';
import { createShutdown, type Shutdown, type ShutdownProcess } from './operate/shutdown.js';
import { systemClock, type Clock } from './shared/clock.js';
import { describeError, isAgentError } from './shared/errors.js';
import { EXIT } from './shared/exit-codes.js';
import type { AgentLogger, Logger } from './shared/logger.js';
import type { FrameAnalysis } from './shared/types.js';
import { agentVersion } from './shared/version.js';
import { Closers } from './agent/closers.js';
import { composeStages, type AgentContext, type AgentParts } from './agent/compose.js';
import { startOperate } from './agent/operate.js';
import { startRunning } from './agent/running.js';
import { registerShutdownSteps } from './agent/shutdown-steps.js';
import type { PipelineCounters } from './agent/telemetry.js';

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
  const { shutdown, removeSignalHandlers } = installShutdown(options, ctx, notifier, () => (phase = 'stopping'));
  // Everything start-up opens is closed again, in reverse, if it fails half-way or at the end.
  const closers = new Closers(log);
  const release = async (): Promise<void> => {
    removeSignalHandlers();
    await closers.closeAll();
  };

  let parts: AgentParts;
  let observe: (analysis: FrameAnalysis) => void;
  try {
    parts = await composeStages(ctx, closers);
    observe = await startOperate(ctx, parts, notifier, closers);
    closers.add(() => notifier.close());
  } catch (err) {
    await release();
    throw err;
  }

  const maxLoopSilenceMs = config.operate.watchdog.max_loop_silence_s * 1000;
  const running = startRunning(parts, { log, maxLoopSilenceMs, observe, flushSignal: shutdown.signal });
  registerShutdownSteps(shutdown, parts, running, log, release);

  phase = 'running';
  await notifier.ready(`camera ${config.camera.id}: running on ${parts.detector.provider}`);
  log.info({ source: parts.source.url, detect: config.camera.detect, provider: parts.detector.provider, version: agentVersion() }, 'agent running');
  return untilEnd(running.pipeline, shutdown, log, parts.counters);
}

/** The shutdown with its signal handlers installed; `stopping` is called the moment it begins. */
function installShutdown(
  options: AgentOptions,
  ctx: AgentContext,
  notifier: Notifier,
  stopping: () => void,
): { shutdown: Shutdown; removeSignalHandlers: () => void } {
  const shutdown = createShutdown({
    deadlineMs: ctx.loaded.config.operate.shutdown_deadline_s * 1000,
    logger: ctx.logger,
    onBegin: async (reason) => {
      stopping();
      await notifier.stopping(`stopping: ${reason}`);
    },
    beforeExit: () => options.logs.flush(),
    ...(options.proc ? { proc: options.proc } : {}),
  });
  shutdown.onReopen(() => options.logs.reopen());
  return { shutdown, removeSignalHandlers: shutdown.installSignalHandlers() };
}

/** Waits for the frame loop to end, then runs the shutdown; resolves with the exit code. */
async function untilEnd(pipeline: Promise<'finished' | 'stopped'>, shutdown: Shutdown, log: Logger, counters: PipelineCounters): Promise<number> {
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
