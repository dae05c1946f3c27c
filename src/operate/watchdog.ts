/**
 * The systemd watchdog pinger: WATCHDOG=1 every WatchdogSec/2, but only while the process is
 * really working (event loop lag below a bound, no pipeline loop stalled). When the check
 * fails the pings stop and systemd restarts the agent after WatchdogSec; a camera being down
 * is not a failure (see heartbeats.ts). Timers are unref'd: they never keep the process alive.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Logger } from '../shared/logger.js';
import type { Heartbeats } from './heartbeats.js';

/**
 * systemd's watchdog interval in ms from $WATCHDOG_USEC, or null when there is none or it is
 * meant for another process ($WATCHDOG_PID set to a different PID).
 */
export function watchdogIntervalMs(env: NodeJS.ProcessEnv, pid: number = process.pid): number | null {
  const usec = Number(env.WATCHDOG_USEC);
  if (!env.WATCHDOG_USEC || !Number.isFinite(usec) || usec <= 0) return null;
  if (env.WATCHDOG_PID && Number(env.WATCHDOG_PID) !== pid) return null;
  return usec / 1000;
}

export type LivenessResult = { ok: true } | { ok: false; reason: string };
export type LivenessCheck = () => LivenessResult;

/** The largest event-loop delay seen since the last call. */
export interface LagProbe {
  sampleMaxMs(): number;
  stop(): void;
}

export function eventLoopLagProbe(resolutionMs = 20): LagProbe {
  const histogram = monitorEventLoopDelay({ resolution: resolutionMs });
  histogram.enable();
  return {
    sampleMaxMs() {
      // max is 0 before the first sample; subtract the sampling resolution it includes.
      const max = histogram.max > 0 ? histogram.max / 1e6 - resolutionMs : 0;
      histogram.reset();
      return Math.max(0, max);
    },
    stop: () => histogram.disable(),
  };
}

export interface LivenessOptions {
  heartbeats: Heartbeats;
  lag?: LagProbe;
  /** Event loop delay above this fails the check. */
  maxEventLoopLagMs: number;
}

/** Event loop responsive and every registered loop turning. */
export function livenessCheck(options: LivenessOptions): LivenessCheck {
  return () => {
    const lagMs = options.lag?.sampleMaxMs() ?? 0;
    if (lagMs > options.maxEventLoopLagMs)
      return { ok: false, reason: `event loop blocked for ${Math.round(lagMs)} ms (bound ${options.maxEventLoopLagMs} ms)` };
    const stalled = options.heartbeats.stalled();
    if (stalled.length > 0)
      return {
        ok: false,
        reason: `loop stalled: ${stalled.map((l) => `${l.name} silent ${Math.round(l.silentMs / 1000)} s (bound ${Math.round(l.maxSilenceMs / 1000)} s)`).join(', ')}`,
      };
    return { ok: true };
  };
}

export interface WatchdogTimers {
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

const realTimers: WatchdogTimers = {
  setInterval: (fn, ms) => setInterval(fn, ms).unref(),
  clearInterval: (handle) => clearInterval(handle as NodeJS.Timeout),
};

export interface WatchdogOptions {
  /** Sends WATCHDOG=1 (Notifier.watchdog). */
  ping: () => Promise<void>;
  check: LivenessCheck;
  /** systemd's interval (watchdogIntervalMs); pings go at half of it. */
  intervalMs: number;
  logger?: Logger;
  timers?: WatchdogTimers;
}

export interface Watchdog {
  start(): void;
  stop(): void;
  /** One round: check, then ping if healthy. Returns whether it pinged. */
  tick(): Promise<boolean>;
}

export function createWatchdog(options: WatchdogOptions): Watchdog {
  const timers = options.timers ?? realTimers;
  const log = options.logger;
  let handle: unknown = null;
  let failing: string | null = null;
  const tick = async (): Promise<boolean> => {
    let result: LivenessResult;
    try {
      result = options.check();
    } catch (err) {
      result = { ok: false, reason: `liveness check threw: ${(err as Error).message}` };
    }
    if (!result.ok) {
      // Logged on the transition only; systemd will restart us after WatchdogSec.
      if (failing !== result.reason)
        log?.error({ stage: 'operate', reason: result.reason }, 'watchdog: not pinging systemd, the agent is not healthy');
      failing = result.reason;
      return false;
    }
    if (failing !== null) log?.warn({ stage: 'operate', was: failing }, 'watchdog: healthy again, pinging resumes');
    failing = null;
    await options.ping();
    return true;
  };
  return {
    start() {
      if (handle !== null) return;
      handle = timers.setInterval(() => void tick(), Math.max(1, options.intervalMs / 2));
    },
    stop() {
      if (handle === null) return;
      timers.clearInterval(handle);
      handle = null;
    },
    tick,
  };
}
