// Capture against cameras that fail to open: refused, wrong path, wrong password, junk on the
// wire, a file of junk. Each must go offline once with ffmpeg's own words (password scrubbed),
// keep retrying with backoff on its own, never crash, and leave no ffmpeg behind.
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createFrameSource, type FrameSource } from '../../src/capture/index.js';
import type { CaptureCamera } from '../../src/capture/ffmpeg-args.js';
import { isAgentError } from '../../src/shared/errors.js';
import { captureLogs, type LogCapture } from '../capture/fake-ffmpeg.js';
import { allFfmpegChildren, junk, rtspServerAvailable, startRtspServer, startTcpServer, waitUntil, type RtspServer, type TcpServer } from '../helpers/rtsp.js';

const available = rtspServerAvailable();
if (!available) console.warn('SKIPPED: capture RTSP failure tests: /usr/bin/python3 with GstRtspServer not found');

const PASSWORD = 'Kx7-fail-secret';
let logs: LogCapture;
let sources: FrameSource[] = [];
let tcpServers: TcpServer[] = [];
let rtsp: RtspServer | null = null;
let tmp = '';

function cam(url: string): CaptureCamera {
  return {
    id: 'cam-fail',
    source: { url, rtsp_transport: 'tcp', timeout_s: 3, wallclock_timestamps: true, loop: false, realtime: true, hwaccel: 'none' },
    detect: { width: 160, height: 90, fps: 5 },
    stall_timeout_s: 8,
    reconnect: { initial_s: 0.1, max_s: 0.4, factor: 2, jitter: 0.2 },
  };
}

function source(url: string): FrameSource {
  const s = createFrameSource({ camera: cam(url), logger: logs.logger, killGraceMs: 1000 });
  sources.push(s);
  return s;
}

/** Waits for the first offline log line and a retry after it; returns the offline line. */
async function offlineAndRetrying(s: FrameSource): Promise<Record<string, unknown>> {
  await waitUntil(() => logs.events('camera_offline').length > 0, 15_000, 'the offline log line');
  await waitUntil(() => s.stats().restarts >= 2, 15_000, 'two reconnect attempts');
  expect(s.stats()).toMatchObject({ state: 'offline', received: 0 });
  expect(logs.events('camera_offline')).toHaveLength(1);
  expect(logs.events('camera_online')).toHaveLength(0);
  return logs.events('camera_offline')[0]!;
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'capture-fail-'));
  if (available) rtsp = await startRtspServer({ user: 'admin', password: PASSWORD, width: 320, height: 240 });
});

afterAll(async () => {
  await rtsp?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

afterEach(async (ctx) => {
  if (ctx.task.result?.state === 'fail') console.error(logs.raw.join(''));
  for (const s of sources) await s.stop();
  sources = [];
  for (const t of tcpServers) await t.stop();
  tcpServers = [];
  expect(allFfmpegChildren(), 'ffmpeg children left after the test').toEqual([]);
  expect(logs.raw.join(''), 'password in a log line').not.toContain(PASSWORD);
});

beforeEach(() => {
  logs = captureLogs();
});

describe('capture from a camera that cannot be opened', () => {
  it('connection refused: offline with ffmpeg\'s reason, retried with backoff', async () => {
    const t = await startTcpServer(() => Buffer.alloc(0));
    const port = t.port;
    await t.stop(); // a port that was just free: nothing listens there now
    const s = source(`rtsp://admin:${PASSWORD}@127.0.0.1:${port}/live`);
    const line = await offlineAndRetrying(s);
    expect(line.error_type).toBe('RSA_CAMERA_UNREACHABLE');
    expect(String(line.reason)).toMatch(/Connection refused/);
    expect((line.stderr as string[]).join('\n')).toContain(`rtsp://admin:***@127.0.0.1:${port}/live: Connection refused`);
  });

  it.skipIf(!available)('404: a path the camera does not have', async () => {
    const s = source(rtsp!.url('no-such-path', { user: 'admin', password: PASSWORD }));
    const line = await offlineAndRetrying(s);
    expect(String(line.reason)).toMatch(/404 Not Found/);
  });

  it.skipIf(!available)('401: wrong credentials, and the wrong password is never logged either', async () => {
    const s = source(rtsp!.url('live', { user: 'admin', password: 'Wr0ng-Passw0rd' }));
    const line = await offlineAndRetrying(s);
    expect(String(line.reason)).toMatch(/401 Unauthorized/);
    expect(logs.raw.join('')).not.toContain('Wr0ng-Passw0rd');
  });

  it('junk on the wire (rtsp): offline, retried, nothing crashes', async () => {
    const t = await startTcpServer((n) => junk(4096, n + 1));
    tcpServers.push(t);
    const s = source(`rtsp://127.0.0.1:${t.port}/live`);
    const line = await offlineAndRetrying(s);
    expect(line.exit_code).not.toBe(0);
    expect(t.connections()).toBeGreaterThanOrEqual(2);
  });

  it('junk that looks like an answer (http): offline, retried', async () => {
    const t = await startTcpServer((n) => Buffer.concat([Buffer.from('HTTP/1.0 200 OK\r\nContent-Type: multipart/x-mixed-replace; boundary=x\r\n\r\n'), junk(8192, n + 7)]));
    tcpServers.push(t);
    const s = source(`http://127.0.0.1:${t.port}/video.mjpg`);
    await offlineAndRetrying(s);
    expect(t.connections()).toBeGreaterThanOrEqual(2);
  });

  it('a "video" file of junk: gives up after a few attempts with RSA_CAMERA_NOT_VIDEO (a config error)', async () => {
    const file = join(tmp, 'junk.mp4');
    writeFileSync(file, junk(100_000, 3));
    const s = source(file);
    const err = await s.next(AbortSignal.timeout(20_000)).then(
      () => null,
      (e: unknown) => e,
    );
    expect(isAgentError(err, 'RSA_CAMERA_NOT_VIDEO')).toBe(true);
    expect(String((err as Error).message)).toMatch(/not a video: .*(Invalid data found when processing input|moov atom not found); gave up after 3 attempts/);
    expect(s.stats()).toMatchObject({ state: 'failed', received: 0, restarts: 2 });
  });
});
