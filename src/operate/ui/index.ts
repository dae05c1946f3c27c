/**
 * The installer page, served under /ui/ by the agent's health endpoint: the live view, the zone
 * and minimum sizes, the last violations. Built by the composition root; it sees the pipeline
 * only through the callbacks it is given, and never the camera URL or any password.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, resolve } from 'node:path';
import type { LoadedConfig } from '../../config/load.js';
import { sourceKind } from '../../config/load.js';
import { systemClock, type Clock } from '../../shared/clock.js';
import { describeError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import type { FrameAnalysis, Violation } from '../../shared/types.js';
import type { HealthReport } from '../health.js';
import { loadAssets, type Asset } from './assets.js';
import { accessPolicy, readToken, type AccessPolicy } from './auth.js';
import { BodyError, readBody, readJson, sameOrigin, send, sendJson, sendText } from './http.js';
import { LiveView, type LiveTrack } from './live.js';
import { RecentViolations, type StateChangingQueue } from './recent.js';
import { checkZone, writeZone } from './zone-config.js';

export interface InstallerUiOptions {
  loaded: LoadedConfig;
  /** The health report, read at each status request. */
  health: () => HealthReport;
  /** --allow-config-write: the page may write the zone into the camera's config file. */
  allowConfigWrite: boolean;
  logger: Logger;
  clock?: Clock;
  env?: NodeJS.ProcessEnv;
}

export interface InstallerUi {
  /** Answers the request when it is for /ui; false otherwise (the health server goes on). */
  handle(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  /** Every analysed frame, before its buffer goes back to capture (costs nothing unless a page is open). */
  observe(analysis: FrameAnalysis, tracks: () => readonly LiveTrack[]): void;
  /** A violation was committed to the queue. */
  queued(v: Violation): void;
  /** The queue the flusher should use, so the page learns each delivery. */
  watchQueue<Q extends StateChangingQueue>(queue: Q): Q;
}

const MAX_BODY = 64 * 1024;

export function createInstallerUi(o: InstallerUiOptions): InstallerUi {
  const { config } = o.loaded;
  const ui = config.operate.ui;
  const clock = o.clock ?? systemClock;
  const log = o.logger.child({ stage: 'ui' });
  const live = new LiveView({ clock, logger: log, intervalMs: ui.frame_interval_ms, jpegQuality: ui.jpeg_quality });
  const recent = new RecentViolations(ui.recent, clock);
  const assets = loadAssets();
  const policy = policyFor(o, log);
  const detect = { width: config.camera.detect.width, height: config.camera.detect.height };

  const settings = () => ({
    camera: { id: config.camera.id, location: config.camera.location, source: sourceKind(config.camera.source.url), detect: config.camera.detect },
    rules: { zone: config.rules.zone, min_motorcycle_px: config.rules.min_motorcycle_px, min_rider_px: config.rules.min_rider_px },
    config_writable: o.allowConfigWrite,
    token_required: policy.tokenRequired,
  });

  const api: Record<string, (req: IncomingMessage, res: ServerResponse, query: URLSearchParams) => Promise<void> | void> = {
    'GET /ui/api/status': (_req, res) => sendJson(res, 200, { health: o.health(), settings: settings(), live: live.stats() }),
    'GET /ui/api/live': (_req, res) => {
      live.touch();
      sendJson(res, 200, { overlay: live.latest()?.overlay ?? null });
    },
    'GET /ui/api/frame.jpg': (_req, res, q) => {
      const f = q.has('seq') ? live.frame(Number(q.get('seq'))) : live.latest();
      if (!f) return sendText(res, 404, 'no live frame (yet): the view starts once a page asks for it');
      send(res, 200, 'image/jpeg', f.jpeg, { 'x-frame-seq': String(f.overlay.seq) });
    },
    'GET /ui/api/violations': (_req, res) => {
      const h = o.health();
      sendJson(res, 200, { recent: recent.list(), queue: h.queue, central: h.central });
    },
    'POST /ui/api/zone/check': async (req, res) => {
      const check = checkZone(await readJson(req, MAX_BODY), o.loaded.file, detect);
      sendJson(res, check.ok ? 200 : 422, { ...check, writable: o.allowConfigWrite });
    },
    'POST /ui/api/zone/write': async (req, res) => {
      if (!o.allowConfigWrite) return sendJson(res, 403, { ok: false, problems: [{ path: '', message: 'read-only: start the agent with --allow-config-write to let the page write the config file' }] });
      const check = checkZone(await readJson(req, MAX_BODY), o.loaded.file, detect);
      if (!check.ok) return sendJson(res, 422, check);
      let written;
      try {
        written = writeZone(check.fragment, o.loaded.file, new Date(clock.now()));
      } catch (err) {
        log.error({ code: 'RSA_UI_CONFIG_WRITE', err: describeError(err) }, 'installer page could not write the config file');
        return sendJson(res, 500, { ok: false, fragment: check.fragment, problems: [{ path: '', message: `${describeError(err)}; paste the fragment by hand` }] });
      }
      log.warn({ file: written.file, backup: written.backup, rules: check.fragment.rules }, 'installer page wrote the zone into the config file; it applies at the next start');
      sendJson(res, 200, { ok: true, fragment: check.fragment, backup: written.backup, restart_needed: true });
    },
  };

  async function route(req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams): Promise<void> {
    const method = req.method === 'HEAD' ? 'GET' : (req.method ?? 'GET');
    if (path === '/ui') return send(res, 301, 'text/plain; charset=utf-8', 'moved\n', { location: '/ui/' });
    if (path === '/ui/login' && method === 'POST') return login(req, res);
    const access = policy.check(req);
    if (!access.ok) {
      if (access.status === 401 && method === 'GET' && (path === '/ui/' || path === '/ui/style.css')) return serveAsset(res, path === '/ui/' ? 'login.html' : 'style.css', 401);
      return sendText(res, access.status, access.why);
    }
    if (method !== 'GET' && !sameOrigin(req)) return sendText(res, 403, 'cross-origin request refused');
    const handler = api[`${method} ${path}`];
    if (handler) return handler(req, res, query);
    const evidence = /^\/ui\/api\/evidence\/([0-9a-f-]{36})\/(frame|rider|plate)\.jpg$/.exec(path);
    if (evidence && method === 'GET') {
      const jpeg = recent.evidence(evidence[1]!, evidence[2]!);
      return jpeg ? send(res, 200, 'image/jpeg', jpeg) : sendText(res, 404, 'no such evidence image in the recent list');
    }
    const name = path === '/ui/' ? 'index.html' : path.slice('/ui/'.length);
    if (method === 'GET' && assets.has(name) && name !== 'login.html') return serveAsset(res, name, 200);
    if (method !== 'GET' && method !== 'POST') return sendText(res, 405, 'method not allowed', { allow: 'GET, HEAD, POST' });
    return sendText(res, 404, 'not found');
  }

  function serveAsset(res: ServerResponse, name: string, status: number): void {
    const a = assets.get(name) as Asset;
    send(res, status, a.type, a.body);
  }

  async function login(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!policy.tokenRequired) return send(res, 303, 'text/plain; charset=utf-8', 'no token needed\n', { location: '/ui/' });
    const token = new URLSearchParams(await readBody(req, 4096)).get('token') ?? '';
    if (!policy.accepts(token)) {
      log.warn({ remote: req.socket.remoteAddress }, 'installer page: wrong token');
      return sendText(res, 401, 'wrong token');
    }
    send(res, 303, 'text/plain; charset=utf-8', 'signed in\n', { location: '/ui/', 'set-cookie': policy.sessionCookie() });
  }

  return {
    async handle(req, res) {
      const url = new URL(req.url ?? '/', 'http://agent');
      if (!ui.enabled || !(url.pathname === '/ui' || url.pathname.startsWith('/ui/'))) return false;
      try {
        await route(req, res, url.pathname, url.searchParams);
      } catch (err) {
        if (err instanceof BodyError) sendText(res, err.status, err.message);
        else {
          log.error({ err: describeError(err), path: url.pathname }, 'installer page request failed');
          sendText(res, 500, `internal error: ${describeError(err)}`);
        }
      }
      return true;
    },
    observe: (analysis, tracks) => {
      if (ui.enabled) live.observe(analysis, tracks);
    },
    queued: (v) => recent.add(v),
    watchQueue: (queue) => recent.watch(queue),
  };
}

function policyFor(o: InstallerUiOptions, log: Logger): AccessPolicy {
  const { config, file } = o.loaded;
  const host = config.operate.health.host;
  let token: string | null = null;
  try {
    const tokenFile = config.operate.ui.token_file === null ? null : resolve(dirname(file), config.operate.ui.token_file);
    const read = readToken(tokenFile, o.env ?? process.env);
    token = read?.token ?? null;
    if (read) log.info({ from: read.from }, 'installer page token source');
  } catch (err) {
    log.error({ code: 'RSA_UI_TOKEN', err: describeError(err) }, 'installer page token unusable; the page refuses every request');
    return accessPolicy(host, null, `the page's token is unusable: ${describeError(err)}`);
  }
  const policy = accessPolicy(host, token);
  if (!policy.usable) log.error({ code: 'RSA_UI_TOKEN', host }, `installer page bound to ${host} without a token: it refuses every request (set operate.ui.token_file)`);
  return policy;
}
