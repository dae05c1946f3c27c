// Start-up of what lets an operator watch the agent, once the stages run: /metrics and
// /healthz (with the installer page on the same server), the rate sampling behind /healthz,
// and the systemd watchdog. None of it may stop the camera: a health endpoint that cannot
// listen is logged and left out.
import { startHealthServer } from '../operate/health.js';
import { createMetrics, type Metrics } from '../operate/metrics.js';
import type { Notifier } from '../operate/notify.js';
import { createWatchdog, eventLoopLagProbe, livenessCheck, watchdogIntervalMs } from '../operate/watchdog.js';
import { describeError } from '../shared/errors.js';
import type { FrameAnalysis } from '../shared/types.js';
import { agentVersion } from '../shared/version.js';
import type { Closers } from './closers.js';
import type { AgentContext, AgentParts } from './compose.js';
import { healthSnapshot, metricsSnapshot } from './telemetry.js';

/** Starts the endpoints, the rate timer and the watchdog; returns what each analysis feeds. */
export async function startOperate(ctx: AgentContext, parts: AgentParts, notifier: Notifier, closers: Closers): Promise<(analysis: FrameAnalysis) => void> {
  const metrics = createMetrics({
    snapshot: () => metricsSnapshot(parts),
    info: { camera: parts.cameraId, version: agentVersion(), provider: parts.detector.provider },
  });
  await startEndpoint(ctx, parts, metrics, closers);
  startRateSampling(parts, closers);
  startWatchdog(ctx, parts, notifier, closers);
  return (analysis) => {
    parts.scans.observe(analysis);
    for (const [step, ms] of Object.entries(analysis.timings))
      if (step.endsWith('.model')) metrics.observeInference(step.slice(0, -'.model'.length), ms / 1000);
  };
}

async function startEndpoint(ctx: AgentContext, parts: AgentParts, metrics: Metrics, closers: Closers): Promise<void> {
  const { config } = ctx.loaded;
  const health = await startHealthServer({
    host: config.operate.health.host,
    port: config.operate.health.port,
    snapshot: () => healthSnapshot(parts),
    rules: parts.healthRules,
    metrics,
    clock: ctx.clock,
    logger: ctx.logger,
    routes: (req, res) => parts.ui.handle(req, res),
  }).catch((err: unknown) => {
    ctx.log.error({ code: 'RSA_HEALTH_LISTEN', err: describeError(err) }, 'health endpoint not started; the agent runs without it');
    return null;
  });
  closers.add(() => health?.close());
  if (health) ctx.log.info({ url: health.url }, 'health endpoint listening');
}

/** Rates for /healthz, sampled on a timer so two scrapes in a row do not see zero. */
function startRateSampling(parts: AgentParts, closers: Closers): void {
  const rateTimer = setInterval(() => {
    const cs = parts.source.stats();
    parts.meter.sample([parts.counters.framesProcessed, cs.dropped]);
    parts.frameMark.note(cs.lastFrameAt, parts.clock.now());
  }, 5000);
  rateTimer.unref();
  closers.add(() => clearInterval(rateTimer));
}

/** systemd watchdog: pings only while the event loop and the pipeline loop turn. */
function startWatchdog(ctx: AgentContext, parts: AgentParts, notifier: Notifier, closers: Closers): void {
  const intervalMs = watchdogIntervalMs(ctx.env);
  if (intervalMs === null) return;
  const lag = eventLoopLagProbe();
  const watchdog = createWatchdog({
    ping: () => notifier.watchdog(),
    check: livenessCheck({ heartbeats: parts.heartbeats, lag, maxEventLoopLagMs: ctx.loaded.config.operate.watchdog.max_event_loop_lag_ms }),
    intervalMs,
    logger: ctx.log,
  });
  watchdog.start();
  closers.add(() => {
    watchdog.stop();
    lag.stop();
  });
}
