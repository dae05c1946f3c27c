// Capture against the real GStreamer RTSP server and the real ffmpeg: frames arrive whole, the
// source rides out a server that dies and comes back, a hung server is killed by the stall
// watchdog (SIGTERM, then SIGKILL), and a camera that changes its resolution still yields
// frames of the detect size. After each test no ffmpeg child of this process is left.
import { readFileSync } from 'node:fs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createFrameSource, type FrameSource } from '../../src/capture/index.js';
import type { CaptureCamera } from '../../src/capture/ffmpeg-args.js';
import { captureLogs, type LogCapture } from '../capture/fake-ffmpeg.js';
import { allFfmpegChildren, looksLikeSmpteBars, rtspServerAvailable, startRtspServer, waitUntil, type RtspServer } from '../helpers/rtsp.js';

const available = rtspServerAvailable();
if (!available) console.warn('SKIPPED: capture RTSP tests: /usr/bin/python3 with GstRtspServer (gir1.2-gst-rtsp-server-1.0) not found');

const PASSWORD = 'Zq9-live-secret';
let servers: RtspServer[] = [];
let sources: FrameSource[] = [];
let logs: LogCapture;

function liveCamera(url: string, overrides: Partial<CaptureCamera> = {}): CaptureCamera {
  return {
    id: 'cam-it',
    source: { url, rtsp_transport: 'tcp', timeout_s: 5, wallclock_timestamps: true, loop: false, realtime: true, hwaccel: 'none' },
    detect: { width: 320, height: 180, fps: 5 },
    stall_timeout_s: 4,
    reconnect: { initial_s: 0.2, max_s: 1, factor: 2, jitter: 0.2 },
    ...overrides,
  };
}

async function server(options: Parameters<typeof startRtspServer>[0] = {}): Promise<RtspServer> {
  const s = await startRtspServer(options);
  servers.push(s);
  return s;
}

function source(camera: CaptureCamera, killGraceMs = 1500): FrameSource {
  const s = createFrameSource({ camera, logger: logs.logger, killGraceMs });
  sources.push(s);
  return s;
}

/** The next frame, or a failure after `ms`. */
async function nextFrame(s: FrameSource, ms = 15_000) {
  const frame = await s.next(AbortSignal.timeout(ms));
  if (!frame) throw new Error('source ended');
  return frame;
}

beforeAll(() => {
  logs = captureLogs();
});

afterEach(async (ctx) => {
  // the capture log of a failed test says what ffmpeg and the source did
  if (ctx.task.result?.state === 'fail') console.error(logs.raw.join(''));
  for (const s of sources) await s.stop();
  sources = [];
  for (const s of servers) await s.stop();
  servers = [];
  expect(allFfmpegChildren(), 'ffmpeg children left after the test').toEqual([]);
  expect(logs.raw.join(''), 'password in a log line').not.toContain(PASSWORD);
  logs = captureLogs();
});

describe.skipIf(!available)('capture from a live RTSP camera', () => {
  it('delivers whole frames of the detect size from a camera with credentials, at the detect rate', async () => {
    const srv = await server({ width: 640, height: 360, fps: 10, user: 'admin', password: PASSWORD });
    const s = source(liveCamera(srv.url('live', { user: 'admin', password: PASSWORD })));
    const frames = [];
    for (let i = 0; i < 8; i++) frames.push(await nextFrame(s));
    for (const f of frames) {
      expect(f.data.length).toBe(320 * 180 * 3);
      expect([f.width, f.height]).toEqual([320, 180]);
    }
    expect(frames.filter(looksLikeSmpteBars).length).toBeGreaterThanOrEqual(6);
    expect(frames.map((f) => f.seq)).toEqual([...frames.map((f) => f.seq)].sort((a, b) => a - b));
    const st = s.stats();
    expect(st).toMatchObject({ state: 'online', inputWidth: 640, inputHeight: 360 });
    expect(st.ffmpegPid).toBeGreaterThan(0);
    // What `ps -ef` shows every local user: ffmpeg's command line, without the password.
    const cmdline = readFileSync(`/proc/${st.ffmpegPid}/cmdline`, 'utf8').split('\0').join(' ');
    console.log(`ffmpeg command line as ps shows it: ${cmdline}`);
    expect(cmdline).not.toContain(PASSWORD);
    expect(cmdline).toMatch(/-f concat .*-i \S+source\.ffconcat/);
    expect(logs.events('camera_online')).toHaveLength(1);
    expect(String(logs.events('camera_online')[0]!.url)).toContain('admin:***@');
  });

  it('reconnects by itself when the server is killed mid-stream and comes back', async () => {
    const srv = await server({ width: 320, height: 240, fps: 10 });
    const s = source(liveCamera(srv.url('live')));
    await nextFrame(s);
    const port = srv.port;
    await srv.kill();
    await waitUntil(() => s.stats().state === 'offline', 15_000, 'the source to go offline');
    const offline = logs.events('camera_offline');
    expect(offline).toHaveLength(1);
    expect(Array.isArray(offline[0]!.stderr)).toBe(true);
    const restartsBefore = s.stats().restarts;
    await server({ width: 320, height: 240, fps: 10, port });
    // frames again, with no help from the test
    await waitUntil(() => s.stats().state === 'online', 20_000, 'the source to come back online');
    const f = await nextFrame(s);
    expect(looksLikeSmpteBars(f)).toBe(true);
    expect(s.stats().restarts).toBeGreaterThan(restartsBefore);
    expect(logs.events('camera_online')).toHaveLength(2);
    expect(logs.events('camera_offline')).toHaveLength(1);
  });

  it('kills an ffmpeg stuck on a hung server (SIGTERM, then SIGKILL) and reconnects', async () => {
    const srv = await server({ width: 320, height: 240, fps: 10 });
    // a long socket timeout so that only the watchdog can end the hang
    const s = source(liveCamera(srv.url('live'), { stall_timeout_s: 4, source: { url: srv.url('live'), rtsp_transport: 'tcp', timeout_s: 60, wallclock_timestamps: true, loop: false, realtime: true, hwaccel: 'none' } }), 1500);
    await nextFrame(s);
    const pid = s.stats().ffmpegPid;
    await srv.command('freeze');
    await waitUntil(() => s.stats().stalls === 1, 10_000, 'the stall watchdog');
    await waitUntil(() => s.stats().ffmpegPid !== pid, 10_000, 'the stuck ffmpeg to die');
    const stalled = logs.events('camera_stalled');
    expect(stalled).toHaveLength(1);
    expect(stalled[0]!.error_type).toBe('RSA_CAMERA_STALLED');
    // ffmpeg blocked in a read after start-up only honours a second signal: SIGKILL was needed
    expect(logs.events('ffmpeg_kill').map((l) => l.signal)).toEqual(['SIGKILL']);
    await waitUntil(() => logs.events('camera_offline').length === 1, 5000, 'the offline log line');
    expect(logs.events('camera_offline')[0]).toMatchObject({ error_type: 'RSA_CAMERA_STALLED', signal: 'SIGKILL' });
    await srv.command('thaw');
    await waitUntil(() => s.stats().state === 'online', 20_000, 'the source to come back');
    expect((await nextFrame(s)).data.length).toBe(320 * 180 * 3);
  });

  it('kills ffmpeg on a server that never sends a frame, and keeps retrying', async () => {
    const srv = await server();
    const s = source(liveCamera(srv.url('hang'), { stall_timeout_s: 3 }), 1500);
    await waitUntil(() => s.stats().stalls >= 1 && s.stats().state === 'offline', 15_000, 'the stall watchdog');
    await waitUntil(() => s.stats().restarts >= 1, 10_000, 'a reconnect');
    expect(s.stats().received).toBe(0);
    expect(logs.events('camera_offline')[0]!.error_type).toBe('RSA_CAMERA_STALLED');
  });

  it('keeps frames whole and of the detect size when the camera changes resolution mid-stream', async () => {
    const srv = await server({ width: 640, height: 360, fps: 10 });
    const s = source(liveCamera(srv.url('live')));
    await nextFrame(s);
    expect(s.stats().inputWidth).toBe(640);
    await srv.command('resize 320x240');
    const frames = [];
    for (let i = 0; i < 10; i++) frames.push(await nextFrame(s));
    for (const f of frames) expect(f.data.length).toBe(320 * 180 * 3);
    expect(looksLikeSmpteBars(frames.at(-1)!)).toBe(true);
    expect(s.stats().state).toBe('online');
  });

  it('reconnects to a camera that came back at another resolution; frames keep the detect size', async () => {
    const srv = await server({ width: 640, height: 360, fps: 10 });
    const s = source(liveCamera(srv.url('live')));
    await nextFrame(s);
    const port = srv.port;
    await srv.kill();
    await waitUntil(() => s.stats().state === 'offline', 15_000, 'offline');
    await server({ width: 1280, height: 720, fps: 10, port });
    await waitUntil(() => s.stats().state === 'online', 20_000, 'online again');
    const f = await nextFrame(s);
    expect(f.data.length).toBe(320 * 180 * 3);
    expect(looksLikeSmpteBars(f)).toBe(true);
    expect(s.stats()).toMatchObject({ inputWidth: 1280, inputHeight: 720 });
    expect(logs.events('camera_resolution_changed')).toHaveLength(1);
  });
});
