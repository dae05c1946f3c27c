/**
 * Graceful shutdown in two phases, with a deadline.
 *
 *  1. intake: stop taking work and finish what is in hand (stop capture, finish the frame in
 *     flight, close open tracks into violations, one last flush). These steps share the
 *     deadline: each gets an AbortSignal that fires at its own timeout or at the deadline,
 *     whichever is first, and is abandoned (not awaited further) once it fired.
 *  2. release: give back resources (close SQLite and MySQL, the health server, the notify
 *     socket). They run even when the deadline has passed, each bounded by its own timeout,
 *     because closing the databases is what leaves them clean.
 *
 * Steps run one at a time in registration order within their phase; a step that throws is
 * logged and the next one runs. The first SIGTERM/SIGINT starts this; a second one exits at
 * once with 128 + signal number (143, 130): SQLite in WAL mode loses no committed
 * transaction on an abrupt exit, and better-sqlite3 runs no statement while JS handles a
 * signal. SIGHUP runs the reopen hooks (logrotate).
 *
 * Exit code after a graceful stop: 0 when every step finished; 1 when a step threw or was
 * abandoned at its timeout or the deadline.
 */
import type { Logger } from '../shared/logger.js';

export type ShutdownPhase = 'intake' | 'release';

export interface ShutdownStep {
  name: string;
  phase: ShutdownPhase;
  /** Must return soon after `signal` aborts. */
  run(signal: AbortSignal): Promise<void> | void;
  /** Longest this step may take; default: intake steps until the deadline, release steps 5 s. */
  timeoutMs?: number;
}

export interface StepOutcome {
  name: string;
  phase: ShutdownPhase;
  outcome: 'done' | 'failed' | 'abandoned';
  ms: number;
  error?: string;
}

export interface ShutdownResult {
  reason: string;
  exitCode: number;
  steps: StepOutcome[];
}

/** What a shutdown needs from the process; tests pass a fake. */
export interface ShutdownProcess {
  on(signal: NodeJS.Signals, listener: () => void): unknown;
  off(signal: NodeJS.Signals, listener: () => void): unknown;
  exit(code: number): void;
}

export interface ShutdownOptions {
  /** Whole graceful stop (intake phase) must fit in this; keep it below systemd's TimeoutStopSec. */
  deadlineMs: number;
  /** Default timeout of a release step. */
  releaseStepTimeoutMs?: number;
  logger?: Logger;
  /** Called once when shutdown begins, e.g. to send STOPPING=1 (errors are logged). */
  onBegin?: (reason: string) => Promise<void> | void;
  /** Called just before exit(): flush the log synchronously. */
  beforeExit?: () => void;
  proc?: ShutdownProcess;
  now?: () => number;
}

export interface Shutdown {
  /** Aborted the moment shutdown begins: hand it to every loop, retry and child process. */
  readonly signal: AbortSignal;
  readonly started: boolean;
  register(step: ShutdownStep): void;
  /** Hooks for SIGHUP (e.g. the logger's reopen). */
  onReopen(hook: () => void): void;
  /** Starts the graceful stop (idempotent: a second call returns the same promise). */
  run(reason: string): Promise<ShutdownResult>;
  /** Installs SIGTERM, SIGINT and SIGHUP handlers; returns their removal. */
  installSignalHandlers(): () => void;
}

const SIGNAL_NUMBERS: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };
export const exitCodeForSignal = (signal: NodeJS.Signals): number => 128 + (SIGNAL_NUMBERS[signal] ?? 0);

const realProcess: ShutdownProcess = {
  on: (s, l) => process.on(s, l),
  off: (s, l) => process.off(s, l),
  exit: (code) => process.exit(code),
};

export function createShutdown(options: ShutdownOptions): Shutdown {
  const proc = options.proc ?? realProcess;
  const now = options.now ?? (() => Date.now());
  const log = options.logger?.child({ stage: 'shutdown' });
  const releaseTimeout = options.releaseStepTimeoutMs ?? 5_000;
  const steps: ShutdownStep[] = [];
  const reopenHooks: Array<() => void> = [];
  const controller = new AbortController();
  let running: Promise<ShutdownResult> | null = null;

  const runStep = async (step: ShutdownStep, deadlineAt: number | null): Promise<StepOutcome> => {
    const started = now();
    const budget = Math.max(0, Math.min(step.timeoutMs ?? Infinity, deadlineAt === null ? releaseTimeout : deadlineAt - started));
    const stepController = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<'expired'>((resolve) => {
      timer = setTimeout(() => {
        stepController.abort(new Error(`shutdown step ${step.name} ran out of time`));
        resolve('expired');
      }, budget);
    });
    try {
      const work = Promise.resolve().then(() => step.run(stepController.signal));
      const first = await Promise.race([work.then(() => 'done' as const), expired]);
      if (first === 'expired') {
        work.catch(() => undefined);
        log?.error({ step: step.name, phase: step.phase, budget_ms: budget }, 'shutdown step abandoned: out of time');
        return { name: step.name, phase: step.phase, outcome: 'abandoned', ms: now() - started };
      }
      log?.info({ step: step.name, phase: step.phase, ms: now() - started }, 'shutdown step done');
      return { name: step.name, phase: step.phase, outcome: 'done', ms: now() - started };
    } catch (err) {
      log?.error({ step: step.name, phase: step.phase, err }, 'shutdown step failed');
      return { name: step.name, phase: step.phase, outcome: 'failed', ms: now() - started, error: (err as Error)?.message ?? String(err) };
    } finally {
      clearTimeout(timer);
    }
  };

  /** A failing log flush must not turn a clean stop into a crash. */
  const beforeExit = () => {
    try {
      options.beforeExit?.();
    } catch (err) {
      process.stderr.write(`shutdown: beforeExit hook failed: ${(err as Error)?.message ?? String(err)}\n`);
    }
  };

  const run = (reason: string): Promise<ShutdownResult> => {
    running ??= (async () => {
      const deadlineAt = now() + options.deadlineMs;
      log?.info({ reason, deadline_ms: options.deadlineMs }, 'shutting down');
      controller.abort(new Error(`shutdown: ${reason}`));
      try {
        await options.onBegin?.(reason);
      } catch (err) {
        log?.warn({ err }, 'shutdown: onBegin hook failed');
      }
      const outcomes: StepOutcome[] = [];
      for (const step of steps.filter((s) => s.phase === 'intake')) outcomes.push(await runStep(step, deadlineAt));
      for (const step of steps.filter((s) => s.phase === 'release')) outcomes.push(await runStep(step, null));
      const exitCode = outcomes.every((o) => o.outcome === 'done') ? 0 : 1;
      log?.info({ reason, exit_code: exitCode, steps: outcomes.map((o) => `${o.name}:${o.outcome}`) }, 'shutdown complete');
      return { reason, exitCode, steps: outcomes };
    })();
    return running;
  };

  return {
    signal: controller.signal,
    get started() {
      return running !== null;
    },
    register(step) {
      if (running) throw new Error(`shutdown step ${step.name} registered after shutdown began`);
      steps.push(step);
    },
    onReopen(hook) {
      reopenHooks.push(hook);
    },
    run,
    installSignalHandlers() {
      const onStop = (signal: NodeJS.Signals) => () => {
        if (running) {
          // Second signal: the operator (or systemd) wants out now.
          log?.warn({ signal }, 'second signal: exiting at once');
          beforeExit();
          proc.exit(exitCodeForSignal(signal));
          return;
        }
        void run(signal).then((result) => {
          beforeExit();
          proc.exit(result.exitCode);
        });
      };
      const onTerm = onStop('SIGTERM');
      const onInt = onStop('SIGINT');
      const onHup = () => {
        for (const hook of reopenHooks) {
          try {
            hook();
          } catch (err) {
            log?.error({ err }, 'SIGHUP: reopen hook failed');
          }
        }
        log?.info('SIGHUP: log file reopened');
      };
      proc.on('SIGTERM', onTerm);
      proc.on('SIGINT', onInt);
      proc.on('SIGHUP', onHup);
      return () => {
        proc.off('SIGTERM', onTerm);
        proc.off('SIGINT', onInt);
        proc.off('SIGHUP', onHup);
      };
    },
  };
}
