/**
 * The local HTTP endpoint of one camera's agent: GET /healthz and GET /metrics.
 *
 * /healthz answers 503 when any of these holds, 200 otherwise:
 *  - the agent is starting (READY not reached yet) or stopping;
 *  - the camera has been up at some point but its last frame is older than
 *    operate.health.max_frame_age_s, or no frame arrived at all within that time of start-up;
 *  - a pipeline loop is stalled (heartbeats.ts).
 * Central MySQL being unreachable, dead letters, or an old pending record are warnings only:
 * the queue holds the violations and the agent is doing its job.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock } from '../shared/clock.js';
import { systemClock } from '../shared/clock.js';
import { AgentError, describeError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import type { LoopState } from './heartbeats.js';
import type { Metrics } from './metrics.js';
import type { ScanSnapshot } from './scan-stats.js';

export type AgentPhase = 'starting' | 'running' | 'stopping';

/** What the composition root reports about the pipeline, read at each request. */
export interface HealthSnapshot {
  phase: AgentPhase;
  /** Epoch ms when the agent started. */
  startedAt: number;
  camera: {
    id: string;
    /** The capture stage's own word for it, e.g. connecting, up, reconnecting, stopped. */
    state: string;
    /** Epoch ms of the last frame received; null before the first. */
    lastFrameAt: number | null;
    fpsIn: number;
    fpsProcessed: number;
    fpsDropped: number;
  };
  queue: {
    depth: number;
    /** Epoch ms of the oldest pending record; null when empty. */
    oldestPendingAt: number | null;
    deadLetters: number;
  };
  central: {
    /** null when not known yet. */
    reachable: boolean | null;
    /** Epoch ms of the last committed batch; null before the first. */
    lastDeliveryAt: number | null;
    /** host:port of the central node delivered to (of central.hosts); null when not known. */
    node?: string | null;
  };
  /** Execution provider really in use (cpu, webgpu, cuda). */
  provider: string;
  version: string;
  loops: LoopState[];
  /** Where the scene detector looked; absent when not reported. */
  scan?: ScanSnapshot;
}

export interface HealthReport {
  status: 'ok' | 'unhealthy';
  /** Why the status is unhealthy (empty when ok). */
  problems: string[];
  /** Worth a look, not a failure. */
  warnings: string[];
  phase: AgentPhase;
  version: string;
  provider: string;
  uptime_s: number;
  camera: {
    id: string;
    state: string;
    last_frame_age_s: number | null;
    fps: { in: number; processed: number; dropped: number };
  };
  queue: { depth: number; oldest_pending_age_s: number | null; dead_letters: number };
  central: { reachable: boolean | null; last_delivery_age_s: number | null; node: string | null };
  loops: Array<{ name: string; silent_s: number; stalled: boolean }>;
  /** Motion-gated detection over the recent frames, and frames without any inference since start. */
  detect?: { motion_fraction: number | null; regions_per_frame: number; inference_ms_per_frame: number; frames_without_inference: number; frames: number };
}

export interface HealthRules {
  maxFrameAgeS: number;
}

const ageS = (now: number, at: number | null): number | null => (at === null ? null : Math.max(0, round1((now - at) / 1000)));
function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

/** Pure: a snapshot and the time in, the report out. */
export function evaluateHealth(s: HealthSnapshot, now: number, rules: HealthRules): HealthReport {
  const problems: string[] = [];
  const warnings: string[] = [];
  const frameAge = ageS(now, s.camera.lastFrameAt);
  const uptime = Math.max(0, round1((now - s.startedAt) / 1000));
  if (s.phase !== 'running') problems.push(`agent is ${s.phase}`);
  if (frameAge !== null && frameAge > rules.maxFrameAgeS)
    problems.push(`last frame ${frameAge} s ago (bound ${rules.maxFrameAgeS} s), camera ${s.camera.state}`);
  if (frameAge === null && uptime > rules.maxFrameAgeS)
    problems.push(`no frame since start-up ${uptime} s ago (bound ${rules.maxFrameAgeS} s), camera ${s.camera.state}`);
  for (const loop of s.loops)
    if (loop.stalled) problems.push(`loop ${loop.name} stalled: silent ${Math.round(loop.silentMs / 1000)} s (bound ${Math.round(loop.maxSilenceMs / 1000)} s)`);
  if (s.central.reachable === false) warnings.push('central MySQL unreachable; violations stay queued on the box');
  if (s.queue.deadLetters > 0) warnings.push(`${s.queue.deadLetters} record(s) in the dead-letter table`);
  return {
    status: problems.length === 0 ? 'ok' : 'unhealthy',
    problems,
    warnings,
    phase: s.phase,
    version: s.version,
    provider: s.provider,
    uptime_s: uptime,
    camera: {
      id: s.camera.id,
      state: s.camera.state,
      last_frame_age_s: frameAge,
      fps: { in: round1(s.camera.fpsIn), processed: round1(s.camera.fpsProcessed), dropped: round1(s.camera.fpsDropped) },
    },
    queue: { depth: s.queue.depth, oldest_pending_age_s: ageS(now, s.queue.oldestPendingAt), dead_letters: s.queue.deadLetters },
    central: { reachable: s.central.reachable, last_delivery_age_s: ageS(now, s.central.lastDeliveryAt), node: s.central.node ?? null },
    loops: s.loops.map((l) => ({ name: l.name, silent_s: round1(l.silentMs / 1000), stalled: l.stalled })),
    ...(s.scan ? { detect: detectReport(s.scan) } : {}),
  };
}

function detectReport(s: ScanSnapshot): NonNullable<HealthReport['detect']> {
  const r3 = (x: number): number => Math.round(x * 1000) / 1000;
  return {
    motion_fraction: s.recent.motionFraction === null ? null : r3(s.recent.motionFraction),
    regions_per_frame: r3(s.recent.regionsPerFrame),
    inference_ms_per_frame: round1(s.recent.inferenceMsPerFrame),
    frames_without_inference: s.framesWithoutInference,
    frames: s.frames,
  };
}

export interface HealthServerOptions {
  host: string;
  /** operate.health.port; 0 means disabled (no server). 'ephemeral' listens on a free port (tests). */
  port: number | 'ephemeral';
  snapshot: () => HealthSnapshot;
  rules: HealthRules;
  metrics?: Metrics;
  clock?: Clock;
  logger?: Logger;
  /** More routes (the installer page): resolves true when it answered the request. */
  routes?: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;
}

export interface HealthServer {
  host: string;
  /** The port really listened on. */
  port: number;
  url: string;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** Starts the endpoint; resolves null when port is 0 (disabled). Rejects with RSA_HEALTH_LISTEN. */
export async function startHealthServer(options: HealthServerOptions): Promise<HealthServer | null> {
  if (options.port === 0) return null;
  const clock = options.clock ?? systemClock;
  const log = options.logger;
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (options.routes && (await options.routes(req, res))) return;
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return send(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n');
    }
    if (path === '/healthz') {
      const report = evaluateHealth(options.snapshot(), clock.now(), options.rules);
      return send(res, report.status === 'ok' ? 200 : 503, 'application/json; charset=utf-8', JSON.stringify(report) + '\n');
    }
    if (path === '/metrics' && options.metrics) {
      return send(res, 200, options.metrics.contentType, await options.metrics.text());
    }
    return send(res, 404, 'text/plain; charset=utf-8', 'not found: try /healthz or /metrics\n');
  };
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      log?.error({ stage: 'operate', err, url: req.url }, 'health endpoint failed to answer');
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', `internal error: ${describeError(err)}\n`);
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error) => {
      reject(
        new AgentError('RSA_HEALTH_LISTEN', `operate.health: cannot listen on ${options.host}:${String(options.port)}: ${err.message}`, {
          cause: err,
        }),
      );
    };
    server.once('error', onError);
    server.listen(options.port === 'ephemeral' ? 0 : options.port, options.host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  server.on('error', (err) => log?.error({ stage: 'operate', err }, 'health endpoint error'));
  const address = server.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  log?.info({ stage: 'operate', host: address.address, port: address.port }, 'health endpoint listening');
  return {
    host: address.address,
    port: address.port,
    url: `http://${urlHost}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Idle keep-alive connections would hold close() open until they time out.
        server.closeAllConnections();
      }),
  };
}
