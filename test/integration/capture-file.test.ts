// Capture from video files (replay and benchmarks) and from an HTTP MJPEG camera, with the
// real ffmpeg: a file ends once or loops, runs in real time or as fast as it can, and every
// frame read is either delivered or counted as dropped.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createFrameSource, type FrameSource } from '../../src/capture/index.js';
import type { CaptureCamera } from '../../src/capture/ffmpeg-args.js';
import type { Handoff } from '../../src/capture/handoff.js';
import type { Frame } from '../../src/shared/types.js';
import { captureLogs, type LogCapture } from '../capture/fake-ffmpeg.js';
import { startMjpegServer, type MjpegServer } from '../fixtures/mjpeg-server.js';
import { allFfmpegChildren, pixel } from '../helpers/rtsp.js';

let tmp = '';
let clip = '';
let logs: LogCapture;
let sources: FrameSource[] = [];
let mjpeg: MjpegServer | null = null;

const CLIP_SECONDS = 2;

function cam(url: string, opts: { loop: boolean; realtime: boolean }): CaptureCamera {
  return {
    id: 'cam-file',
    source: { url, rtsp_transport: 'tcp', timeout_s: 5, wallclock_timestamps: true, loop: opts.loop, realtime: opts.realtime, hwaccel: 'none' },
    detect: { width: 160, height: 120, fps: 5 },
    stall_timeout_s: 10,
    reconnect: { initial_s: 0.1, max_s: 0.5, factor: 2, jitter: 0.2 },
  };
}

function source(camera: CaptureCamera, handoff?: Handoff): FrameSource {
  const s = createFrameSource({ camera, logger: logs.logger, handoff });
  sources.push(s);
  return s;
}

async function drain(s: FrameSource, onFrame: (f: Frame) => Promise<void> | void = () => undefined): Promise<Frame[]> {
  const out: Frame[] = [];
  for (;;) {
    const f = await s.next(AbortSignal.timeout(20_000));
    if (f === null) return out;
    out.push(f);
    await onFrame(f);
  }
}

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'capture-file-'));
  clip = join(tmp, 'clip.mp4');
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', `testsrc2=size=320x240:rate=25:duration=${CLIP_SECONDS}`, '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', clip]);
});

afterAll(async () => {
  await mjpeg?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

beforeEach(() => {
  logs = captureLogs();
});

afterEach(async (ctx) => {
  if (ctx.task.result?.state === 'fail') console.error(logs.raw.join(''));
  for (const s of sources) await s.stop();
  sources = [];
  expect(allFfmpegChildren(), 'ffmpeg children left after the test').toEqual([]);
});

describe('capture from a video file', () => {
  it('once, as fast as possible: every detect-rate frame of the clip, then null', async () => {
    const s = source(cam(clip, { loop: false, realtime: false }));
    const frames = await drain(s);
    expect(frames.length).toBeGreaterThanOrEqual(CLIP_SECONDS * 5 - 1);
    expect(frames.length).toBeLessThanOrEqual(CLIP_SECONDS * 5 + 1);
    for (const f of frames) expect(f.data.length).toBe(160 * 120 * 3);
    expect(s.stats()).toMatchObject({ state: 'finished', restarts: 0, inputWidth: 320, inputHeight: 240 });
    expect(logs.events('camera_finished')).toHaveLength(1);
    expect(logs.events('camera_offline')).toHaveLength(0);
  });

  it('once, in real time: the frames span about the clip\'s own duration', async () => {
    const s = source(cam(clip, { loop: false, realtime: true }));
    const frames = await drain(s);
    expect(frames.length).toBeGreaterThanOrEqual(CLIP_SECONDS * 5 - 1);
    // -re cannot run ahead of the clip's clock (a lower bound; a slow machine only adds to it)
    expect(frames.at(-1)!.capturedAt - frames[0]!.capturedAt).toBeGreaterThanOrEqual((CLIP_SECONDS - 0.6) * 1000);
    expect(s.stats().state).toBe('finished');
  });

  it('looped: more frames than the clip holds, from one ffmpeg, until stopped', async () => {
    const s = source(cam(clip, { loop: true, realtime: false }));
    const seqs: number[] = [];
    while (seqs.length < CLIP_SECONDS * 5 * 3) seqs.push((await s.next(AbortSignal.timeout(20_000)))!.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(s.stats()).toMatchObject({ state: 'online', restarts: 0 });
    await s.stop();
    await expect(s.next()).resolves.toBeNull();
    expect(s.stats().state).toBe('stopped');
  });

  it('a slow consumer: every frame read is delivered or counted as dropped, none lost silently', async () => {
    const s = source(cam(clip, { loop: false, realtime: false }));
    const frames = await drain(s, () => new Promise((r) => setTimeout(r, 150)));
    const st = s.stats();
    expect(st.dropped).toBeGreaterThan(0);
    expect(st.delivered).toBe(frames.length);
    expect(st.received).toBe(st.delivered + st.dropped);
    // gaps in seq are exactly the dropped frames
    expect(frames.at(-1)!.seq + 1 - frames.length).toBe(st.dropped);
  });

  it('lossless hand-off, a slow consumer that hands buffers back: every frame delivered in order, none dropped', async () => {
    const s = source(cam(clip, { loop: false, realtime: false }), 'lossless');
    const frames: Frame[] = [];
    const firstBytes: number[][] = [];
    for (;;) {
      const f = await s.next(AbortSignal.timeout(20_000));
      if (f === null) break;
      frames.push(f);
      firstBytes.push(Array.from(f.data.subarray(0, 3)));
      await new Promise((r) => setTimeout(r, 60));
      s.recycle(f.data); // the next frame is assembled into this buffer
    }
    const st = s.stats();
    expect(frames.length).toBeGreaterThanOrEqual(CLIP_SECONDS * 5 - 1);
    expect(st).toMatchObject({ state: 'finished', dropped: 0, delivered: frames.length, received: frames.length });
    expect(frames.map((f) => f.seq)).toEqual(frames.map((_, i) => i));
    // recycled buffers were refilled with new pictures, not handed out twice unchanged
    expect(new Set(firstBytes.map((b) => b.join(','))).size).toBeGreaterThan(1);
  });

  it('stop() while a file plays in real time ends ffmpeg at once', async () => {
    const s = source(cam(clip, { loop: true, realtime: true }));
    await s.next(AbortSignal.timeout(20_000));
    const pid = s.stats().ffmpegPid;
    expect(pid).toBeGreaterThan(0);
    await s.stop();
    expect(allFfmpegChildren()).toEqual([]);
  });
});

describe('capture from an HTTP MJPEG camera', () => {
  it('delivers frames of the detect size', async () => {
    mjpeg = await startMjpegServer({ width: 320, height: 240, fps: 10 });
    const s = source(cam(mjpeg.url, { loop: false, realtime: false }));
    const frames: Frame[] = [];
    for (let i = 0; i < 5; i++) frames.push((await s.next(AbortSignal.timeout(20_000)))!);
    for (const f of frames) expect(f.data.length).toBe(160 * 120 * 3);
    // testsrc2 is colourful: a frame of one flat colour would mean nothing was decoded
    const f = frames.at(-1)!;
    const colours = new Set([pixel(f, 10, 10), pixel(f, 80, 60), pixel(f, 150, 110), pixel(f, 40, 100)].map((p) => p.join(',')));
    expect(colours.size).toBeGreaterThan(1);
    expect(s.stats()).toMatchObject({ state: 'online', inputWidth: 320, inputHeight: 240 });
  });
});
