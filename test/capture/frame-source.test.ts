import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FrameSource, createFrameSource, type FrameSourceOptions } from '../../src/capture/frame-source.js';
import { isAgentError } from '../../src/shared/errors.js';
import { camera, captureLogs, fakeSpawner, type FakeSpawner, type LogCapture } from './fake-ffmpeg.js';

let logs: LogCapture;
let spawner: FakeSpawner;
const sources: FrameSource[] = [];

function source(overrides: Partial<FrameSourceOptions> = {}): FrameSource {
  const s = createFrameSource({ camera: camera(), logger: logs.logger, spawn: spawner.spawn, random: () => 0.5, killGraceMs: 1000, ...overrides });
  sources.push(s);
  return s;
}

beforeEach(() => {
  vi.useFakeTimers();
  logs = captureLogs();
  spawner = fakeSpawner();
});

afterEach(async () => {
  for (const s of sources.splice(0)) {
    const stopping = s.stop();
    await vi.advanceTimersByTimeAsync(5000);
    await stopping;
  }
  vi.useRealTimers();
});

describe('FrameSource', () => {
  it('hands out the newest frame and counts overtaken ones as dropped', async () => {
    const s = source();
    const ff = await spawner.nth(0);
    ff.frames(1);
    const first = await s.next();
    expect(first?.seq).toBe(0);
    expect(first?.data.length).toBe(8 * 4 * 3);
    ff.frames(5, (i) => 10 + i); // frames 1..5 arrive while the consumer is busy
    const newest = await s.next();
    expect(newest?.seq).toBe(5);
    expect(newest?.data[0]).toBe(14);
    expect(s.stats()).toMatchObject({ state: 'online', received: 6, delivered: 2, dropped: 4 });
  });

  it('never writes into a frame it handed out, and keeps memory bounded by recycling dropped buffers', async () => {
    const s = source();
    const ff = await spawner.nth(0);
    ff.frames(1, () => 1);
    const held = await s.next();
    const seen = new Set<ArrayBufferLike>();
    for (let round = 0; round < 50; round++) {
      ff.frames(3, () => 2);
      seen.add((await s.next())!.data.buffer);
    }
    expect(held!.data.every((b) => b === 1)).toBe(true);
    expect(held!.data.byteOffset).toBe(0);
    expect(held!.data.buffer.byteLength).toBe(held!.data.length);
    expect(s.stats().dropped).toBe(100);
  });

  it('logs online once and offline once per reason, with scrubbed stderr lines', async () => {
    const s = source();
    let ff = await spawner.nth(0);
    ff.frames(2);
    await s.next();
    ff.stderr('rtsp://admin:s3cr3t-pass@127.0.0.1:8554/live: Connection reset by peer');
    ff.exit({ code: 1, signal: null });
    await vi.advanceTimersByTimeAsync(0);
    expect(s.stats().state).toBe('offline');
    // the same failure again and again: not logged again at warn
    for (let i = 1; i <= 3; i++) {
      await vi.advanceTimersByTimeAsync(10_000);
      ff = await spawner.nth(i);
      ff.stderr('rtsp://admin:s3cr3t-pass@127.0.0.1:8554/live: Connection refused');
      ff.exit({ code: 1, signal: null });
      await vi.advanceTimersByTimeAsync(0);
    }
    await vi.advanceTimersByTimeAsync(10_000);
    ff = await spawner.nth(4);
    ff.frames(1);
    await s.next();
    expect(logs.events('camera_online')).toHaveLength(2);
    const offline = logs.events('camera_offline');
    expect(offline).toHaveLength(1);
    expect(offline[0]!.stderr).toEqual(['rtsp://admin:***@127.0.0.1:8554/live: Connection reset by peer']);
    expect(offline[0]!.error_type).toBe('RSA_CAMERA_UNREACHABLE');
    expect(logs.events('camera_still_offline')).toHaveLength(1); // reason changed once: reset → refused
    expect(logs.events('camera_retry')).toHaveLength(2);
    expect(s.stats().restarts).toBe(4);
    expect(logs.raw.join('')).not.toContain('s3cr3t-pass');
  });

  it('treats exit 0 of a live camera as a disconnect and reconnects by itself', async () => {
    const s = source();
    const ff = await spawner.nth(0);
    ff.frames(1);
    await s.next();
    ff.exit({ code: 0, signal: null });
    await vi.advanceTimersByTimeAsync(999);
    expect(spawner.procs).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(spawner.procs).toHaveLength(2);
    (await spawner.nth(1)).frames(1);
    await expect(s.next()).resolves.toMatchObject({ seq: 1 });
    expect(logs.events('camera_offline')[0]!.reason).toMatch(/closed the connection/);
  });

  it('waits backoff delays that grow, with injected jitter, up to the cap', async () => {
    source({ random: () => 0 }); // -20%: 0.8 s, 1.6 s, 3.2 s, 6.4 s, then the cap 8 s - 20%
    const spawnTimes: number[] = [];
    const start = Date.now();
    for (let i = 0; i < 6; i++) {
      const ff = await spawner.nth(i);
      spawnTimes.push(Date.now() - start);
      ff.exit({ code: 1, signal: null });
      // step in small increments so each spawn is seen when it happens
      while (spawner.procs.length === i + 1) await vi.advanceTimersByTimeAsync(100);
    }
    const gaps = spawnTimes.slice(1).map((t, i) => t - spawnTimes[i]!);
    expect(gaps).toEqual([800, 1600, 3200, 6400, 6400]);
  });

  it('finishes a non-looping file at exit 0: next() resolves null', async () => {
    const s = source({ camera: camera({ url: '/videos/clip.mp4', loop: false }) });
    const ff = await spawner.nth(0);
    ff.frames(1);
    ff.exit({ code: 0, signal: null });
    await expect(s.next()).resolves.toMatchObject({ seq: 0 });
    await expect(s.next()).resolves.toBeNull();
    expect(s.stats().state).toBe('finished');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(spawner.procs).toHaveLength(1);
  });

  it('restarts a looping file that exits 0', async () => {
    source({ camera: camera({ url: '/videos/clip.mp4', loop: true }) });
    (await spawner.nth(0)).exit({ code: 0, signal: null });
    await vi.advanceTimersByTimeAsync(1000);
    expect(spawner.procs).toHaveLength(2);
  });

  it('gives up on a file that keeps failing without a frame, with a coded error', async () => {
    const s = source({ camera: camera({ url: '/videos/missing.mp4' }) });
    const waiting = s.next();
    const outcome = waiting.then(
      () => null,
      (e: unknown) => e,
    );
    for (let i = 0; i < 3; i++) {
      const ff = await spawner.nth(i);
      ff.stderr('/videos/missing.mp4: No such file or directory');
      ff.exit({ code: 1, signal: null });
      await vi.advanceTimersByTimeAsync(10_000);
    }
    const err = await outcome;
    expect(isAgentError(err, 'RSA_CAMERA_UNREACHABLE')).toBe(true);
    expect((err as Error).message).toMatch(/No such file.*gave up after 3/);
    expect(s.stats().state).toBe('failed');
  });

  it('stall watchdog: no frame for stall_timeout_s sends SIGTERM, then SIGKILL to an ffmpeg that ignores it', async () => {
    const s = source({ camera: camera({ stall_timeout_s: 2 }) });
    const ff = await spawner.nth(0);
    ff.onSignal = (sig) => {
      if (sig === 'SIGKILL') ff.exit({ code: null, signal: 'SIGKILL' });
    };
    ff.frames(1);
    await s.next();
    await vi.advanceTimersByTimeAsync(1500);
    expect(ff.signals).toEqual([]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(ff.signals).toEqual(['SIGTERM']);
    await vi.advanceTimersByTimeAsync(1000);
    expect(ff.signals).toEqual(['SIGTERM', 'SIGKILL']);
    expect(s.stats()).toMatchObject({ stalls: 1, state: 'offline' });
    expect(logs.events('camera_stalled')[0]!.error_type).toBe('RSA_CAMERA_STALLED');
    expect(logs.events('ffmpeg_kill')).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(spawner.procs).toHaveLength(2);
  });

  it('stall watchdog also covers an ffmpeg that never delivers a first frame', async () => {
    source({ camera: camera({ stall_timeout_s: 2 }) });
    const ff = await spawner.nth(0);
    await vi.advanceTimersByTimeAsync(2600);
    expect(ff.signals).toEqual(['SIGTERM']);
    expect(ff.done).toBe(true);
  });

  it('stop() ends ffmpeg, resolves only after it exited, and wakes the consumer with null', async () => {
    const s = source();
    const ff = await spawner.nth(0);
    ff.onSignal = (sig) => {
      if (sig === 'SIGKILL') ff.exit({ code: null, signal: 'SIGKILL' });
    };
    const waiting = s.next();
    let stopped = false;
    const stopping = s.stop().then(() => (stopped = true));
    await vi.advanceTimersByTimeAsync(500);
    expect(stopped).toBe(false);
    await vi.advanceTimersByTimeAsync(600);
    await stopping;
    expect(ff.signals).toEqual(['SIGTERM', 'SIGKILL']);
    await expect(waiting).resolves.toBeNull();
    expect(s.stats().state).toBe('stopped');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(spawner.procs).toHaveLength(1);
  });

  it('stop() during the backoff delay returns at once and spawns nothing more', async () => {
    const s = source();
    (await spawner.nth(0)).exit({ code: 1, signal: null });
    await vi.advanceTimersByTimeAsync(100);
    await s.stop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(spawner.procs).toHaveLength(1);
    expect(s.stats().state).toBe('stopped');
  });

  it('aborting the signal given at creation stops the source', async () => {
    const ac = new AbortController();
    const s = source({ signal: ac.signal });
    const ff = await spawner.nth(0);
    const waiting = s.next();
    ac.abort();
    await vi.advanceTimersByTimeAsync(0);
    expect(ff.signals).toEqual(['SIGTERM']);
    await expect(waiting).resolves.toBeNull();
  });

  it('counts the bytes of a frame cut short by an exit and starts the next run clean', async () => {
    const s = source();
    const ff = await spawner.nth(0);
    ff.handlers.onData(Buffer.alloc(50, 9)); // 96-byte frames
    ff.exit({ code: 1, signal: null });
    await vi.advanceTimersByTimeAsync(1000);
    const ff2 = await spawner.nth(1);
    ff2.frames(1, () => 3);
    const f = await s.next();
    expect(f!.data.every((b) => b === 3)).toBe(true);
    expect(s.stats().partialBytes).toBe(50);
  });

  it('reports the camera size and restarts ffmpeg if its output size is not the detect size', async () => {
    const s = source();
    const ff = await spawner.nth(0);
    ff.stderr("Input #0, rtsp, from 'x':", '  Stream #0:0: Video: h264, yuv420p(progressive), 1920x1080, 25 fps');
    ff.stderr("Output #0, rawvideo, to 'pipe:':", '  Stream #0:0: Video: rawvideo (RGB[24] / 0x18424752), rgb24(pc), 8x4, q=2-31');
    expect(s.stats()).toMatchObject({ inputWidth: 1920, inputHeight: 1080 });
    expect(ff.signals).toEqual([]);
    const ff2Promise = (async () => {
      ff.exit({ code: 1, signal: null });
      await vi.advanceTimersByTimeAsync(1000);
      return spawner.nth(1);
    })();
    const ff2 = await ff2Promise;
    ff2.stderr("Output #0, rawvideo, to 'pipe:':", '  Stream #0:0: Video: rawvideo (RGB[24] / 0x18424752), rgb24(pc), 16x4, q=2-31');
    expect(ff2.signals).toEqual(['SIGTERM']);
    expect(logs.events('capture_size_mismatch')[0]!.error_type).toBe('RSA_FRAME_INVALID');
  });

  it('a stop before start spawns nothing', async () => {
    const s = new FrameSource({ camera: camera(), logger: logs.logger, spawn: spawner.spawn });
    await s.stop();
    s.start();
    await expect(s.next()).resolves.toBeNull();
    expect(spawner.procs).toHaveLength(0);
  });
});
