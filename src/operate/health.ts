/**
 * The local HTTP endpoint of one camera's agent: GET /healthz (health-report.ts says what it
 * reports and when it answers 503) and GET /metrics.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock } from '../shared/clock.js';
import { systemClock } from '../shared/clock.js';
import { AgentError, describeError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { evaluateHealth, type HealthRules, type HealthSnapshot } from './health-report.js';
import type { Metrics } from './metrics.js';

export { evaluateHealth, type AgentPhase, type HealthReport, type HealthRules, type HealthSnapshot } from './health-report.js';

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
