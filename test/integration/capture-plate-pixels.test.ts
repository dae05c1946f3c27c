// Camera-resolution plate pictures (camera.plate_pixels) with the real ffmpeg: one ffmpeg writes
// the detect frames to stdout and the same frames at the camera's size, yuv420p, to the capture
// stage's private unix socket; every frame is delivered with its own picture, never a
// neighbour's, and the conversion to RGB matches ffmpeg's own.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFrameSource } from '../../src/capture/index.js';
import type { CaptureCamera } from '../../src/capture/ffmpeg-args.js';
import { convertYuvRect, cropYuvToRgb, yuvBytes } from '../../src/shared/yuv.js';
import type { YuvPicture } from '../../src/shared/types.js';
import { captureLogs } from '../capture/fake-ffmpeg.js';

let tmp = '';
let clip = '';

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'capture-plate-'));
  clip = join(tmp, 'clip.mp4');
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25:duration=2', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', clip]);
});

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const camera = (): CaptureCamera => ({
  id: 'cam-plate',
  source: { url: clip, rtsp_transport: 'tcp', timeout_s: 5, wallclock_timestamps: true, loop: false, realtime: false, hwaccel: 'none' },
  detect: { width: 160, height: 120, fps: 5 },
  stall_timeout_s: 10,
  reconnect: { initial_s: 0.1, max_s: 0.5, factor: 2, jitter: 0.2 },
  plate_pixels: { width: 320, height: 240 },
});

/** Mean absolute difference between a detect frame and a plate picture sampled at the same places. */
function difference(frame: Uint8Array, picture: YuvPicture): number {
  const rgb = new Uint8Array(320 * 240 * 3);
  convertYuvRect(picture, { x1: 0, y1: 0, x2: 320, y2: 240 }, rgb, 320, 0, 0);
  let sum = 0;
  let n = 0;
  for (let y = 4; y < 116; y += 5) {
    for (let x = 4; x < 156; x += 5) {
      for (let c = 0; c < 3; c++, n++) sum += Math.abs(frame[(y * 160 + x) * 3 + c]! - rgb[(y * 2 * 320 + x * 2) * 3 + c]!);
    }
  }
  return sum / n;
}

describe('capture with camera-resolution plate pictures', () => {
  it('delivers every frame with its own picture at the camera size, then removes its socket', async () => {
    const logs = captureLogs();
    const before = new Set(readdirSync(tmpdir()).filter((d) => d.startsWith('roadside-plate-')));
    const s = createFrameSource({ camera: camera(), logger: logs.logger, handoff: 'lossless' });
    const frames: Array<{ data: Uint8Array; full: YuvPicture }> = [];
    for (;;) {
      const f = await s.next(AbortSignal.timeout(20_000));
      if (f === null) break;
      expect(f.full).toMatchObject({ width: 320, height: 240 });
      expect(f.full!.data.length).toBe(yuvBytes(320, 240));
      // copies: the buffers go back to capture for the next frames
      frames.push({ data: new Uint8Array(f.data), full: { ...f.full!, data: new Uint8Array(f.full!.data) } });
      s.recycle(f.data);
      s.recycle(f.full!.data);
    }
    await s.stop();
    expect(frames.length).toBeGreaterThanOrEqual(9);
    expect(s.stats()).toMatchObject({ state: 'finished', dropped: 0 });
    for (let i = 0; i < frames.length; i++) {
      const own = difference(frames[i]!.data, frames[i]!.full);
      expect(own, `frame ${i} against its own picture`).toBeLessThan(6);
      // testsrc2 moves: a neighbour's picture is measurably different, so the check above can fail
      if (i > 0) expect(difference(frames[i]!.data, frames[i - 1]!.full), `frame ${i} against picture ${i - 1}`).toBeGreaterThan(own + 2);
    }
    // the operator sees the plate picture size in the online line
    expect(logs.lines.find((l) => l.event === 'camera_online')).toMatchObject({ width: 160, height: 120, plate_pixels: '320x240' });
    const left = readdirSync(tmpdir()).filter((d) => d.startsWith('roadside-plate-') && !before.has(d));
    expect(left).toEqual([]);
  });

  it('converts yuv420p to RGB within 3 levels of ffmpeg\'s own conversion, whole picture and crop', () => {
    const still = ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=1:duration=1', '-frames:v', '1', '-vf', 'format=yuv420p', '-f', 'rawvideo'];
    const yuv = execFileSync('ffmpeg', [...still, '-pix_fmt', 'yuv420p', '-'], { maxBuffer: 1 << 24 });
    const rgb = execFileSync('ffmpeg', [...still, '-pix_fmt', 'rgb24', '-'], { maxBuffer: 1 << 24 });
    const picture = { width: 320, height: 240, data: new Uint8Array(yuv) };
    const out = new Uint8Array(320 * 240 * 3);
    convertYuvRect(picture, { x1: 0, y1: 0, x2: 320, y2: 240 }, out, 320, 0, 0);
    let worst = 0;
    for (let i = 0; i < out.length; i++) worst = Math.max(worst, Math.abs(out[i]! - rgb[i]!));
    expect(worst).toBeLessThanOrEqual(3);
    // a crop is the same pixels as the whole picture's conversion
    const crop = cropYuvToRgb(picture, { x1: 101, y1: 37, x2: 180.5, y2: 90 });
    expect([crop.width, crop.height]).toEqual([80, 53]);
    expect(Array.from(crop.data.subarray(0, 6))).toEqual(Array.from(out.subarray((37 * 320 + 101) * 3, (37 * 320 + 101) * 3 + 6)));
  });
});
