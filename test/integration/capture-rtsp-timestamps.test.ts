// Cameras whose frames all carry the same timestamp (the GStreamer fixture's /samets and
// /samets265 mounts, H.264 and H.265): ffprobe calls such a stream fine, but ffmpeg's fps filter
// lets no frame through. With camera.source.wallclock_timestamps (the default) capture delivers
// frames; without it the source says the stream opened but delivered nothing, not "closed".
import { afterEach, describe, expect, it } from 'vitest';
import { createFrameSource, type FrameSource } from '../../src/capture/index.js';
import type { CaptureCamera } from '../../src/capture/ffmpeg-args.js';
import { captureLogs } from '../capture/fake-ffmpeg.js';
import { allFfmpegChildren, rtspServerAvailable, startRtspServer, waitUntil, type RtspServer } from '../helpers/rtsp.js';

const available = rtspServerAvailable();
if (!available) console.warn('SKIPPED: broken camera timestamps: /usr/bin/python3 with GstRtspServer not found');

let server: RtspServer | null = null;
let source: FrameSource | null = null;

function cam(url: string, wallclock: boolean): CaptureCamera {
  return {
    id: 'cam-ts',
    source: { url, rtsp_transport: 'tcp', timeout_s: 5, wallclock_timestamps: wallclock, loop: false, realtime: true, hwaccel: 'none' },
    detect: { width: 320, height: 180, fps: 5 },
    stall_timeout_s: 4,
    reconnect: { initial_s: 30, max_s: 30, factor: 2, jitter: 0 },
  };
}

afterEach(async () => {
  await source?.stop();
  source = null;
  await server?.stop();
  server = null;
  expect(allFfmpegChildren()).toEqual([]);
});

describe.skipIf(!available)('a camera with broken frame timestamps', () => {
  for (const [mount, codec] of [
    ['samets', 'H.264'],
    ['samets265', 'H.265'],
  ] as const) {
    it(`${codec}: frames at the configured rate with wall-clock timestamps`, async () => {
      server = await startRtspServer({ fps: 10 });
      const logs = captureLogs();
      source = createFrameSource({ camera: cam(server.url(mount), true), logger: logs.logger });
      const first = await source.next(AbortSignal.timeout(30_000)); // x265 in the fixture starts slowly on a loaded 2-core box
      expect(first?.width).toBe(320);
      const t0 = Date.now();
      let n = 0;
      while (Date.now() - t0 < 4000) {
        const f = await source.next(AbortSignal.timeout(10_000));
        if (f) n++;
      }
      const fps = n / ((Date.now() - t0) / 1000);
      console.log(`${codec} /${mount}, identical timestamps, wallclock on: ${n} frames in 4 s (${fps.toFixed(1)} fps; detect.fps 5)`);
      expect(n).toBeGreaterThanOrEqual(5);
    }, 60_000);

    it(`${codec}: without them, "opened but delivered no frame" is reported`, async () => {
      server = await startRtspServer({ fps: 10 });
      const logs = captureLogs();
      source = createFrameSource({ camera: cam(server.url(mount), false), logger: logs.logger });
      void source.next(AbortSignal.timeout(30_000)).catch(() => undefined);
      await waitUntil(() => logs.events('camera_offline').length > 0, 25_000, 'the offline log line');
      const line = logs.events('camera_offline')[0]!;
      console.log(`${codec} /${mount}, identical timestamps, wallclock off: ${String(line.reason)}`);
      expect(line.frames).toBe(0);
      expect(String(line.reason)).toMatch(/the stream opened but delivered no frame in 4 s \(broken frame timestamps\? try camera\.source\.wallclock_timestamps: true\)/);
    }, 40_000);
  }
});
