// The installer page's HTTP side on the real health server: who may open it (loopback, token,
// Host header), its headers, that no secret is in any answer, zone checks and writes, the live
// view's cost when nobody watches, and the delivery state of the last violations.
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { evaluateHealth, startHealthServer, type HealthServer, type HealthSnapshot } from '../../src/operate/health.js';
import { createInstallerUi, type InstallerUi } from '../../src/operate/ui/index.js';
import type { FrameAnalysis, SceneScan, Violation } from '../../src/shared/types.js';
import { exampleConfig } from '../helpers/config.js';

const CAMERA_URL = 'rtsp://admin:S3cretCam@10.0.0.5:554/stream1';
const DB_PASSWORD = 'DbPassw0rd-not-for-pages';
const TOKEN = 'tok-' + randomBytes(16).toString('hex');

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function call(server: HealthServer, path: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, method: options.method ?? 'GET', headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

const json = (a: Answer): Record<string, unknown> => JSON.parse(a.body.toString()) as Record<string, unknown>;
const post = (s: HealthServer, path: string, value: unknown, headers: Record<string, string> = {}) =>
  call(s, path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(value) });

const snapshot: HealthSnapshot = {
  phase: 'running',
  startedAt: Date.now() - 10_000,
  camera: { id: 'ui-cam', state: 'online', lastFrameAt: Date.now(), fpsIn: 5, fpsProcessed: 5, fpsDropped: 0 },
  queue: { depth: 1, oldestPendingAt: Date.now() - 1000, deadLetters: 0 },
  central: { reachable: true, lastDeliveryAt: null },
  provider: 'cpu',
  version: '0.1.0',
  loops: [],
};

interface Setup {
  host?: string;
  tokenFile?: string | null;
  allowConfigWrite?: boolean;
  enabled?: boolean;
  snapshot?: HealthSnapshot;
}

interface Started {
  server: HealthServer;
  ui: InstallerUi;
  configFile: string;
  logs: Array<Record<string, unknown>>;
  clock: { t: number; now(): number };
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rsa-ui-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function start(setup: Setup = {}): Promise<Started> {
  const dir = tempDir();
  const raw = exampleConfig();
  delete raw.$schema;
  raw.camera.id = 'ui-cam';
  raw.camera.source = { url: CAMERA_URL };
  raw.central.password_env = 'RSA_UI_TEST_PASSWORD';
  raw.queue.state_dir = join(dir, 'state');
  raw.operate.health = { host: setup.host ?? '127.0.0.1', port: 9310 };
  raw.operate.ui = { enabled: setup.enabled ?? true, token_file: setup.tokenFile ?? null, recent: 2, frame_interval_ms: 1000 };
  const configFile = join(dir, 'ui-cam.json');
  writeFileSync(configFile, JSON.stringify(raw, null, 2), { mode: 0o640 });
  const env = { RSA_UI_TEST_PASSWORD: DB_PASSWORD };
  const loaded = loadConfig(configFile, { env });
  const logs: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'info' }, { write: (s: string) => logs.push(JSON.parse(s) as Record<string, unknown>) });
  const clock = { t: Date.now(), now: () => clock.t };
  const rules = { maxFrameAgeS: 30 };
  const ui = createInstallerUi({ loaded, health: () => evaluateHealth(setup.snapshot ?? snapshot, clock.now(), rules), allowConfigWrite: setup.allowConfigWrite ?? false, logger, clock, env });
  // The server itself always listens on loopback here; the page believes what the config says.
  const server = (await startHealthServer({ host: '127.0.0.1', port: 'ephemeral', snapshot: () => setup.snapshot ?? snapshot, rules, routes: (q, s) => ui.handle(q, s) }))!;
  cleanups.push(() => server.close());
  return { server, ui, configFile, logs, clock };
}

function tokenFile(mode: number): string {
  const f = join(tempDir(), 'ui-token');
  writeFileSync(f, `${TOKEN}\n`);
  chmodSync(f, mode);
  return f;
}

function analysis(seq: number, capturedAt: number, scan?: SceneScan): FrameAnalysis {
  const width = 64;
  const height = 36;
  const motorcycle = { box: { x1: 10, y1: 10, x2: 40, y2: 34 }, score: 0.9, classId: 3, role: 'motorcycle' as const };
  const person = { box: { x1: 12, y1: 2, x2: 38, y2: 30 }, score: 0.8, classId: 0, role: 'person' as const };
  return {
    frame: { seq, width, height, data: new Uint8Array(randomBytes(width * height * 3)), capturedAt },
    detections: [motorcycle, person],
    motorcycles: [
      {
        motorcycle,
        riders: [{ person, helmet: { verdict: 'no_helmet', noHelmetScore: 0.93, headBox: { x1: 18, y1: 2, x2: 30, y2: 12 } } }],
        plate: { box: { x1: 20, y1: 28, x2: 32, y2: 33 }, text: 'AB123CD', raw: 'AB-123-CD', confidence: 0.88 },
      },
    ],
    timings: {},
    ...(scan ? { scan } : {}),
  };
}

function violation(id: string): Violation {
  const jpeg = (kind: 'frame' | 'rider' | 'plate') => ({ kind, jpeg: Buffer.from(`jpeg of ${kind} ${id}`), sha256: 'x'.repeat(64), width: 10, height: 10 });
  return {
    id,
    type: 'no_helmet',
    cameraId: 'ui-cam',
    cameraLocation: 'somewhere',
    plateText: 'AB123CD',
    plateConfidence: 0.88,
    detectionConfidence: 0.93,
    occurredAt: Date.now(),
    firstSeenAt: Date.now() - 3000,
    lastSeenAt: Date.now(),
    frameCount: 4,
    trackId: 7,
    models: {},
    agentVersion: '0.1.0',
    evidence: [jpeg('frame'), jpeg('rider'), jpeg('plate')],
  };
}

const ID = (n: number) => `0190b6a0-0000-7000-8000-${String(n).padStart(12, '0')}`;

describe('who may open the installer page', () => {
  it('on loopback without a token: the page with a strict Content-Security-Policy; a foreign Host header refused', async () => {
    const { server } = await start();
    const page = await call(server, '/ui/');
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    );
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(page.body.toString()).not.toMatch(/<script>|\sstyle=|\son[a-z]+=/); // nothing inline for the CSP to block
    const rebound = await call(server, '/ui/api/status', { headers: { host: 'attacker.example:9310' } });
    expect(rebound.status).toBe(403);
    expect(rebound.body.toString()).toMatch(/loopback/);
  });

  it('bound off loopback without a token: every page request refused with the reason; /healthz still answers', async () => {
    const { server, logs } = await start({ host: '0.0.0.0' });
    for (const path of ['/ui/', '/ui/api/status', '/ui/api/live', '/ui/app.js']) {
      const a = await call(server, path);
      expect(a.status, path).toBe(403);
      expect(a.body.toString()).toMatch(/operate\.ui\.token_file/);
    }
    expect((await call(server, '/healthz')).status).toBe(200);
    expect(logs.some((l) => l.code === 'RSA_UI_TOKEN')).toBe(true);
  });

  it('with a token: the login page without it, a wrong one refused, the right one accepted as bearer or through the login cookie', async () => {
    const { server } = await start({ host: '0.0.0.0', tokenFile: tokenFile(0o600) });
    const anonymous = await call(server, '/ui/');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.toString()).toMatch(/<form method="post" action="\/ui\/login">/);
    expect((await call(server, '/ui/api/status')).status).toBe(401);
    expect((await call(server, '/ui/api/status', { headers: { authorization: `Bearer ${TOKEN}x` } })).status).toBe(401);
    expect((await call(server, '/ui/api/status', { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);

    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const wrong = await call(server, '/ui/login', { method: 'POST', headers: form, body: `token=${TOKEN.slice(0, -1)}` });
    expect(wrong.status).toBe(401);
    expect(wrong.headers['set-cookie']).toBeUndefined();
    const good = await call(server, '/ui/login', { method: 'POST', headers: form, body: `token=${TOKEN}` });
    expect(good.status).toBe(303);
    expect(good.headers.location).toBe('/ui/');
    const cookie = good.headers['set-cookie']![0]!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).not.toContain(TOKEN);
    const session = cookie.split(';')[0]!;
    expect((await call(server, '/ui/', { headers: { cookie: session } })).status).toBe(200);
    expect((await call(server, '/ui/api/status', { headers: { cookie: `${session}x` } })).status).toBe(401);
  });

  it('a world-readable token file is refused: RSA_UI_TOKEN logged and the page answers 403 with the reason', async () => {
    const { server, logs } = await start({ tokenFile: tokenFile(0o644) });
    const a = await call(server, '/ui/', { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(a.status).toBe(403);
    expect(a.body.toString()).toMatch(/world-readable/);
    expect(logs.find((l) => l.code === 'RSA_UI_TOKEN')?.err).toMatch(/chmod 600/);
  });
});

describe('what the page shows', () => {
  it('no answer carries the camera URL, its password, the MySQL password or the token', async () => {
    const { server, ui, clock } = await start({ tokenFile: tokenFile(0o600) });
    const auth = { authorization: `Bearer ${TOKEN}` };
    await call(server, '/ui/api/live', { headers: auth });
    ui.observe(analysis(1, clock.now()), () => []);
    ui.queued(violation(ID(1)));
    await new Promise((r) => setTimeout(r, 200));
    const paths = ['/ui/', '/ui/app.js', '/ui/draw.js', '/ui/style.css', '/ui/api/status', '/ui/api/live', '/ui/api/violations', '/ui/api/frame.jpg', `/ui/api/evidence/${ID(1)}/frame.jpg`, '/ui/nope', '/healthz'];
    const answers = await Promise.all(paths.map((p) => call(server, p, { headers: auth })));
    answers.push(await post(server, '/ui/api/zone/check', { zone_px: null, min_motorcycle_px: 40, min_rider_px: 24 }, auth));
    answers.push(await call(server, '/ui/', {}));
    expect(answers.slice(0, 9).map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200]);
    for (const [i, a] of answers.entries()) {
      const text = a.body.toString('latin1') + JSON.stringify(a.headers);
      for (const secret of ['S3cretCam', '10.0.0.5', 'rtsp://', DB_PASSWORD, TOKEN]) expect(text, `${paths[i] ?? 'post/anonymous'} leaks ${secret}`).not.toContain(secret);
    }
    expect(json(answers[4]!).settings).toMatchObject({ camera: { id: 'ui-cam', source: 'rtsp' }, config_writable: false, token_required: true });
  });

  it('read-only: the zone in pixels comes back as the normalised rules fragment; writing is refused and the file unchanged', async () => {
    const { server, configFile } = await start();
    const before = readFileSync(configFile, 'utf8');
    const req = { zone_px: [[128, 720], [640, 360], [1280, 720]], min_motorcycle_px: 50, min_rider_px: 30 };
    const check = await post(server, '/ui/api/zone/check', req);
    expect(check.status).toBe(200);
    expect(json(check)).toEqual({ ok: true, writable: false, fragment: { rules: { zone: [[0.1, 1], [0.5, 0.5], [1, 1]], min_motorcycle_px: 50, min_rider_px: 30 } } });
    const write = await post(server, '/ui/api/zone/write', req);
    expect(write.status).toBe(403);
    expect(write.body.toString()).toMatch(/--allow-config-write/);
    expect(readFileSync(configFile, 'utf8')).toBe(before);
  });

  it('bad zone requests get a clear answer naming what is wrong', async () => {
    const { server } = await start({ allowConfigWrite: true });
    const two = await post(server, '/ui/api/zone/check', { zone_px: [[1, 1], [2, 2]], min_motorcycle_px: 40, min_rider_px: 24 });
    expect(two.status).toBe(422);
    expect(json(two).problems).toEqual([expect.objectContaining({ path: 'rules.zone' })]);
    const outside = await post(server, '/ui/api/zone/check', { zone_px: [[0, 0], [2000, 0], [0, 700]], min_motorcycle_px: 40, min_rider_px: 24 });
    expect(json(outside).problems).toEqual([expect.objectContaining({ path: 'rules.zone[1][0]' })]);
    const sizes = await post(server, '/ui/api/zone/write', { zone_px: null, min_motorcycle_px: -1, min_rider_px: 24.5, color: 'red' });
    expect(sizes.status).toBe(422);
    expect(json(sizes).problems).toEqual([{ path: 'color', message: 'unknown key' }]);
    const negative = await post(server, '/ui/api/zone/write', { zone_px: null, min_motorcycle_px: -1, min_rider_px: 24.5 });
    expect((json(negative).problems as Array<{ path: string }>).map((p) => p.path).sort()).toEqual(['rules.min_motorcycle_px', 'rules.min_rider_px']);
    expect((await call(server, '/ui/api/zone/check', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}' })).status).toBe(415);
    expect((await call(server, '/ui/api/zone/check', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' })).status).toBe(400);
    expect((await post(server, '/ui/api/zone/check', { zone_px: null }, { origin: 'http://attacker.example' })).status).toBe(403);
    expect((await post(server, '/ui/api/zone/check', { pad: 'x'.repeat(70_000) })).status).toBe(413);
    expect((await call(server, '/ui/api/status', { method: 'DELETE' })).status).toBe(405);
  });

  it('with --allow-config-write: the file gets the fragment, the old file is kept as a backup, its mode stays', async () => {
    const { server, configFile, logs } = await start({ allowConfigWrite: true });
    const before = readFileSync(configFile, 'utf8');
    const write = await post(server, '/ui/api/zone/write', { zone_px: [[0, 360], [1280, 360], [1280, 720], [0, 720]], min_motorcycle_px: 64, min_rider_px: 32 });
    expect(write.status).toBe(200);
    const after = JSON.parse(readFileSync(configFile, 'utf8')) as ReturnType<typeof exampleConfig>;
    expect(after.rules).toMatchObject({ zone: [[0, 0.5], [1, 0.5], [1, 1], [0, 1]], min_motorcycle_px: 64, min_rider_px: 32, min_no_helmet_frames: 3 });
    expect(after.camera.source.url).toBe(CAMERA_URL); // the rest of the file as it was
    const backup = json(write).backup as string;
    expect(readFileSync(backup, 'utf8')).toBe(before);
    expect(statSync(configFile).mode & 0o777).toBe(0o640);
    expect(readdirSync(join(configFile, '..')).filter((f) => f.includes('.tmp-'))).toEqual([]);
    expect(logs.some((l) => l.msg === 'installer page wrote the zone into the config file; it applies at the next start')).toBe(true);
  });
});

describe('when the page cannot or must not answer', () => {
  it('a config file that cannot be written: 500 with the reason and the fragment to paste, RSA_UI_CONFIG_WRITE logged, the file unchanged', async () => {
    const { server, configFile, logs, clock } = await start({ allowConfigWrite: true });
    const before = readFileSync(configFile, 'utf8');
    mkdirSync(`${configFile}.${new Date(clock.now()).toISOString().replace(/[:.]/g, '-')}.bak`); // the backup cannot be made
    const write = await post(server, '/ui/api/zone/write', { zone_px: null, min_motorcycle_px: 64, min_rider_px: 32 });
    expect(write.status).toBe(500);
    expect(json(write)).toMatchObject({ ok: false, fragment: { rules: { min_motorcycle_px: 64 } }, problems: [{ message: expect.stringMatching(/RSA_UI_CONFIG_WRITE.*paste the fragment by hand/) as unknown }] });
    expect(logs.some((l) => l.code === 'RSA_UI_CONFIG_WRITE')).toBe(true);
    expect(readFileSync(configFile, 'utf8')).toBe(before);
  });

  it('operate.ui.enabled false: no page, the health endpoint as before', async () => {
    const { server } = await start({ enabled: false });
    expect((await call(server, '/ui/')).status).toBe(404);
    expect((await call(server, '/ui/api/status')).status).toBe(404);
    expect((await call(server, '/healthz')).status).toBe(200);
  });
});

describe('the live view and the last violations', () => {
  it('encodes nothing while no page asks; then one frame per interval, served with its overlay by sequence number', async () => {
    const { server, ui, clock } = await start();
    for (let seq = 0; seq < 20; seq++) ui.observe(analysis(seq, (clock.t += 200)), () => []);
    await new Promise((r) => setTimeout(r, 100));
    expect(json(await call(server, '/ui/api/status')).live).toEqual({ watching: false, encoded: 0, encodeMsTotal: 0 });
    expect(json(await call(server, '/ui/api/live')).overlay).toBeNull();
    expect((await call(server, '/ui/api/frame.jpg')).status).toBe(404);

    let asked = 0;
    const tracks = () => {
      asked += 1;
      return [{ id: 7, box: { x1: 10, y1: 10, x2: 40, y2: 34 }, hits: 3, lastSeenAt: clock.t, noHelmetFrames: 2, riders: ['no_helmet' as const], plate: 'AB123CD', decided: false }];
    };
    for (let seq = 20; seq < 30; seq++) {
      ui.observe(analysis(seq, (clock.t += 200)), tracks);
      await new Promise((r) => setTimeout(r, 30));
    }
    expect(asked).toBe(2); // 10 frames at 5 fps over 2 s, one per second
    const live = json(await call(server, '/ui/api/live')).overlay as Record<string, unknown>;
    expect(live).toMatchObject({ width: 64, height: 36, riders: [{ verdict: 'no_helmet', noHelmetScore: 0.93 }], plates: [{ text: 'AB123CD' }] });
    expect(live.tracks).toEqual([expect.objectContaining({ id: 7, seen: true, plate: 'AB123CD', riders: ['no_helmet'] })]);
    const jpeg = await call(server, `/ui/api/frame.jpg?seq=${String(live.seq)}`);
    expect(jpeg.headers['content-type']).toBe('image/jpeg');
    expect(jpeg.body.subarray(0, 2).toString('hex')).toBe('ffd8');
    expect(json(await call(server, '/ui/api/status')).live).toMatchObject({ watching: true, encoded: 2 });

    clock.t += 6000; // the page closed
    ui.observe(analysis(99, clock.t), tracks);
    expect(asked).toBe(2);
    expect((await call(server, '/ui/api/frame.jpg')).status).toBe(404);
  });

  it("carries the frame's scan (mode, regions, motion boxes, motion fraction) in the live JSON and the health report's detect numbers in the status", async () => {
    const scans = { frames: 40, framesWithoutInference: 12, sceneInferences: 50, motorcycles: 3, riders: 3, plateSearches: 0, plateSearchesSkipped: 0 };
    const recent = { frames: 40, motionFraction: 0.04567, regionsPerFrame: 1.25, inferenceMsPerFrame: 38.44, withoutInference: 0.3 };
    const { server, ui, clock } = await start({ snapshot: { ...snapshot, scan: { ...scans, recent } } });
    await call(server, '/ui/api/live');
    const scan: SceneScan = {
      mode: 'regions',
      regions: [{ x1: 0.4, y1: 0, x2: 32.2, y2: 32 }, { x1: 30, y1: 4, x2: 62, y2: 36 }],
      motion: [{ x1: 11.6, y1: 9.5, x2: 39, y2: 33 }],
      motionFraction: 0.123456,
    };
    ui.observe(analysis(1, (clock.t += 1000), scan), () => []);
    await expect.poll(async () => (json(await call(server, '/ui/api/live')).overlay as { seq: number } | null)?.seq).toBe(1);
    const overlay = json(await call(server, '/ui/api/live')).overlay as Record<string, unknown>;
    expect(overlay.scan).toEqual({ mode: 'regions', regions: [[0, 0, 32, 32], [30, 4, 62, 36]], motion: [[12, 10, 39, 33]], motionFraction: 0.1235 });
    const health = json(await call(server, '/ui/api/status')).health as Record<string, unknown>;
    expect(health.detect).toEqual({ motion_fraction: 0.046, regions_per_frame: 1.25, inference_ms_per_frame: 38.4, frames_without_inference: 12, frames: 40 });

    ui.observe(analysis(2, (clock.t += 1000)), () => []); // a detector that does not say where it looked
    await expect.poll(async () => (json(await call(server, '/ui/api/live')).overlay as { seq: number } | null)?.seq).toBe(2);
    expect((json(await call(server, '/ui/api/live')).overlay as Record<string, unknown>).scan).toBeNull();
    const script = await call(server, '/ui/scan.js');
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(script.body.toString()).toMatch(/export function drawScan/);
  });

  it('each violation queued, then delivered on ack or a dead letter with the reason on reject; the list keeps the last N', async () => {
    const { server, ui } = await start();
    const calls: string[] = [];
    const queue = ui.watchQueue({
      ack: (ids: readonly string[]) => void calls.push(`ack ${ids.join(',')}`),
      defer: (ids: readonly string[], error: string, _next: number) => void calls.push(`defer ${ids.join(',')} ${error}`),
      reject: (id: string, reason: string) => void calls.push(`reject ${id} ${reason}`),
      stats: () => 'passed through',
    });
    for (const n of [1, 2, 3]) ui.queued(violation(ID(n)));
    queue.defer([ID(2), ID(3)], 'ECONNREFUSED', 0);
    queue.reject(ID(2), 'ER_DATA_TOO_LONG: plate_number');
    queue.ack([ID(3), ID(1)]);
    expect(queue.stats()).toBe('passed through');
    expect(calls).toEqual([`defer ${ID(2)},${ID(3)} ECONNREFUSED`, `reject ${ID(2)} ER_DATA_TOO_LONG: plate_number`, `ack ${ID(3)},${ID(1)}`]);
    const recent = json(await call(server, '/ui/api/violations')).recent as Array<Record<string, unknown>>;
    expect(recent.map((r) => [r.id, r.state, r.reason, r.attempts])).toEqual([
      [ID(3), 'delivered', null, 2],
      [ID(2), 'dead', 'ER_DATA_TOO_LONG: plate_number', 2],
    ]);
    expect((await call(server, `/ui/api/evidence/${ID(3)}/plate.jpg`)).body.toString()).toBe(`jpeg of plate ${ID(3)}`);
    expect((await call(server, `/ui/api/evidence/${ID(1)}/plate.jpg`)).status).toBe(404); // dropped: recent is 2
    expect((await call(server, `/ui/api/evidence/${ID(3)}/../../x.jpg`)).status).toBe(404);
  });
});
