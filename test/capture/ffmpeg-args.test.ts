import { describe, expect, it } from 'vitest';
import { buildFfmpegArgs, frameBytes, timeoutMicros, toArgv, type CaptureCamera } from '../../src/capture/ffmpeg-args.js';

type Source = CaptureCamera['source'];

function cam(source: Partial<Source> & { url: string }, detect = { width: 640, height: 360, fps: 5 }): CaptureCamera {
  return {
    id: 'c1',
    source: { rtsp_transport: 'tcp', timeout_s: 10, wallclock_timestamps: true, loop: false, realtime: true, hwaccel: 'none', ...source },
    detect,
    stall_timeout_s: 15,
    reconnect: { initial_s: 1, max_s: 60, factor: 2, jitter: 0.2 },
  };
}

/** Value following `flag` in argv, or undefined. */
function after(argv: readonly string[], flag: string): string | undefined {
  const i = argv.indexOf(flag);
  return i < 0 ? undefined : argv[i + 1];
}

describe('ffmpeg arguments', () => {
  const cases: Array<{ name: string; camera: CaptureCamera; before: Record<string, string | null>; absent: string[] }> = [
    {
      name: 'rtsp over tcp gets a socket timeout in microseconds',
      camera: cam({ url: 'rtsp://u:p@cam/stream1', timeout_s: 10 }),
      before: { '-rtsp_transport': 'tcp', '-timeout': '10000000', '-use_wallclock_as_timestamps': '1' },
      absent: ['-stimeout', '-re', '-stream_loop', '-hwaccel'],
    },
    {
      name: 'rtsp over udp when configured, fractional timeout',
      camera: cam({ url: 'rtsps://cam/s', rtsp_transport: 'udp', timeout_s: 2.5 }),
      before: { '-rtsp_transport': 'udp', '-timeout': '2500000' },
      absent: ['-re'],
    },
    {
      name: 'http mjpeg gets a socket timeout and no rtsp options',
      camera: cam({ url: 'http://cam/video.mjpg', timeout_s: 3 }),
      before: { '-timeout': '3000000', '-use_wallclock_as_timestamps': '1' },
      absent: ['-rtsp_transport', '-re', '-stream_loop'],
    },
    {
      name: 'a camera keeps its own timestamps when told so',
      camera: cam({ url: 'rtsp://cam/s', wallclock_timestamps: false }),
      before: { '-rtsp_transport': 'tcp' },
      absent: ['-use_wallclock_as_timestamps'],
    },
    {
      name: 'file, looped, real time',
      camera: cam({ url: '/data/clip.mp4', loop: true, realtime: true }),
      before: { '-stream_loop': '-1', '-re': null },
      absent: ['-rtsp_transport', '-timeout', '-use_wallclock_as_timestamps'],
    },
    {
      name: 'file, once, as fast as possible',
      camera: cam({ url: '/data/clip.mp4', loop: false, realtime: false }),
      before: {},
      absent: ['-stream_loop', '-re', '-timeout', '-rtsp_transport'],
    },
    {
      name: 'loop and realtime are ignored for live sources',
      camera: cam({ url: 'rtsp://cam/s', loop: true, realtime: true }),
      before: { '-rtsp_transport': 'tcp' },
      absent: ['-stream_loop', '-re'],
    },
    {
      name: 'hwaccel with a device is passed through before the input',
      camera: cam({ url: 'rtsp://cam/s', hwaccel: 'vaapi', hwaccel_device: '/dev/dri/renderD128' }),
      before: { '-hwaccel': 'vaapi', '-hwaccel_device': '/dev/dri/renderD128' },
      absent: [],
    },
    {
      name: 'hwaccel cuda without a device',
      camera: cam({ url: 'rtsp://cam/s', hwaccel: 'cuda' }),
      before: { '-hwaccel': 'cuda' },
      absent: ['-hwaccel_device'],
    },
  ];

  for (const c of cases) {
    it(c.name, () => {
      const inv = buildFfmpegArgs(c.camera);
      const argv = toArgv(inv);
      const iInput = argv.indexOf('-i');
      expect(argv[iInput + 1]).toBe(c.camera.source.url);
      for (const [flag, value] of Object.entries(c.before)) {
        const at = argv.indexOf(flag);
        expect(at, flag).toBeGreaterThanOrEqual(0);
        expect(at, `${flag} must come before -i`).toBeLessThan(iInput);
        if (value !== null) expect(after(argv, flag)).toBe(value);
      }
      for (const flag of c.absent) expect(argv, flag).not.toContain(flag);
    });
  }

  it('always delivers rgb24 rawvideo to stdout, video only, at the detect size and rate', () => {
    const inv = buildFfmpegArgs(cam({ url: 'rtsp://cam/s' }, { width: 416, height: 234, fps: 5 }));
    const argv = toArgv(inv);
    expect(after(argv, '-vf')).toBe('fps=5,scale=416:234,format=yuv420p');
    expect(after(argv, '-pix_fmt')).toBe('rgb24');
    expect(after(argv, '-f')).toBe('rawvideo');
    expect(argv).toEqual(expect.arrayContaining(['-an', '-sn', '-dn', '-nostdin']));
    expect(argv.at(-1)).toBe('pipe:1');
    expect(inv.frameBytes).toBe(416 * 234 * 3);
  });

  it('with camera.plate_pixels, one fps filter split into the detect frames on stdout and yuv420p plate pictures on the socket', () => {
    const camera = { ...cam({ url: 'rtsp://cam/s' }, { width: 1280, height: 720, fps: 5 }), plate_pixels: { width: 1920, height: 1080 } };
    const inv = buildFfmpegArgs(camera, { plateSocketPath: '/tmp/p/plate.sock' });
    const argv = toArgv(inv);
    expect(argv).not.toContain('-vf');
    expect(after(argv, '-filter_complex')).toBe('fps=5,split=2[d][p];[d]scale=1280:720,format=yuv420p[detect];[p]scale=1920:1080,format=yuv420p[plate]');
    // stdout: the detect frames in rgb24, as without plate pictures
    const stdout = argv.indexOf('pipe:1');
    expect(argv.slice(argv.indexOf('-filter_complex') + 2, stdout)).toEqual(['-map', '[detect]', '-pix_fmt', 'rgb24', '-f', 'rawvideo']);
    // then the second output, last on the line: ffmpeg listens on the socket
    expect(argv.slice(stdout + 1)).toEqual(['-map', '[plate]', '-pix_fmt', 'yuv420p', '-f', 'rawvideo', '-listen', '1', 'unix:/tmp/p/plate.sock']);
    expect(inv.plate).toMatchObject({ width: 1920, height: 1080, frameBytes: 1920 * 1080 * 1.5 });
    expect(inv.frameBytes).toBe(1280 * 720 * 3);
  });

  it('without camera.plate_pixels, or without a socket to write to, there is no second output', () => {
    const camera = cam({ url: 'rtsp://cam/s' }, { width: 1280, height: 720, fps: 5 });
    for (const inv of [buildFfmpegArgs({ ...camera, plate_pixels: null }, { plateSocketPath: '/tmp/p.sock' }), buildFfmpegArgs({ ...camera, plate_pixels: { width: 1920, height: 1080 } })]) {
      expect(inv.plate).toBeUndefined();
      expect(toArgv(inv).at(-1)).toBe('pipe:1');
      expect(toArgv(inv)).not.toContain('-filter_complex');
    }
  });

  it('paces decoding with one decoder and one filter thread by default, configurable', () => {
    const one = toArgv(buildFfmpegArgs(cam({ url: 'rtsp://cam/s' })));
    expect(after(one, '-threads')).toBe('1');
    expect(one.indexOf('-threads')).toBeLessThan(one.indexOf('-i'));
    expect(after(one, '-filter_threads')).toBe('1');
    const auto = toArgv(buildFfmpegArgs(cam({ url: 'rtsp://cam/s' }), { decodeThreads: 0 }));
    expect(auto).not.toContain('-threads');
    expect(auto).not.toContain('-filter_threads');
  });

  it('writes fractional rates without float noise', () => {
    expect(after(toArgv(buildFfmpegArgs(cam({ url: 'x.mp4' }, { width: 64, height: 64, fps: 2.5 }))), '-vf')).toBe('fps=2.5,scale=64:64,format=yuv420p');
    expect(after(toArgv(buildFfmpegArgs(cam({ url: 'x.mp4' }, { width: 64, height: 64, fps: 1 / 3 }))), '-vf')).toBe('fps=0.333333,scale=64:64,format=yuv420p');
  });

  it('frame and timeout helpers', () => {
    expect(frameBytes(1280, 720)).toBe(2_764_800);
    expect(timeoutMicros(0.5)).toBe('500000');
  });
});

describe('camera credentials off the command line', () => {
  it('a URL with credentials goes, with its input options, into the source list; argv holds only the list path', () => {
    const inv = buildFfmpegArgs(cam({ url: "rtsp://admin:pa'ss@cam/s1", timeout_s: 5 }), { sourceListPath: '/tmp/x/source.ffconcat' });
    const argv = toArgv(inv);
    expect(argv.join(' ')).not.toContain("pa'ss");
    expect(after(argv, '-f')).toBe('concat');
    expect(after(argv, '-i')).toBe('/tmp/x/source.ffconcat');
    expect(argv).not.toContain('-rtsp_transport');
    expect(inv.sourceList).toEqual({
      path: '/tmp/x/source.ffconcat',
      text:
        "ffconcat version 1.0\nfile 'rtsp://admin:pa'\\''ss@cam/s1'\n" +
        "option rtsp_transport 'tcp'\noption timeout '5000000'\noption use_wallclock_as_timestamps '1'\n",
    });
  });

  it.each([
    ['rtsp://cam/s1', 'no credentials'],
    ['/data/clip.mp4', 'a file'],
  ])('%s (%s) stays on the command line', (url) => {
    const inv = buildFfmpegArgs(cam({ url }), { sourceListPath: '/tmp/x/source.ffconcat' });
    expect(inv.sourceList).toBeUndefined();
    expect(after(toArgv(inv), '-i')).toBe(url);
  });
});
