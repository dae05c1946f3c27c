import { describe, expect, it } from 'vitest';
import { StderrTail, scrubLine, urlSecrets } from '../../src/capture/stderr-tail.js';
import { StreamInfoParser, parseVideoStreamLine } from '../../src/capture/stream-info.js';

describe('ffmpeg stderr scrubbing', () => {
  const url = 'rtsp://admin:p%40ss%3Aword@10.0.0.5:554/Streaming/Channels/101';
  const cases: Array<[string, string]> = [
    [
      'rtsp://admin:p%40ss%3Aword@10.0.0.5:554/Streaming/Channels/101: Connection refused',
      'rtsp://admin:***@10.0.0.5:554/Streaming/Channels/101: Connection refused',
    ],
    ["Input #0, rtsp, from 'rtsp://admin:p%40ss%3Aword@10.0.0.5:554/x':", "Input #0, rtsp, from 'rtsp://admin:***@10.0.0.5:554/x':"],
    ['[rtsp @ 0x55] method DESCRIBE failed: 401 Unauthorized', '[rtsp @ 0x55] method DESCRIBE failed: 401 Unauthorized'],
    ['auth with p@ss:word rejected', 'auth with *** rejected'],
    ['trailing spaces   ', 'trailing spaces'],
  ];
  for (const [line, expected] of cases) {
    it(`scrubs: ${expected}`, () => {
      const clean = scrubLine(line, urlSecrets(url));
      expect(clean).toBe(expected);
      expect(clean).not.toContain('p%40ss');
      expect(clean).not.toContain('p@ss');
    });
  }

  it('finds raw and percent-decoded passwords, none without one', () => {
    expect(urlSecrets(url)).toEqual(['p%40ss%3Aword', 'p@ss:word']);
    expect(urlSecrets('rtsp://cam/x')).toEqual([]);
    expect(urlSecrets('rtsp://user@cam/x')).toEqual([]);
    expect(urlSecrets('/videos/a.mp4')).toEqual([]);
  });

  it('keeps only the last lines, scrubbed, and skips empty ones', () => {
    const tail = new StderrTail('rtsp://u:topsecret@cam/x', 3);
    for (let i = 0; i < 5; i++) tail.push(`line ${i} rtsp://u:topsecret@cam/x`);
    tail.push('   ');
    expect(tail.last()).toEqual(['line 2 rtsp://u:***@cam/x', 'line 3 rtsp://u:***@cam/x', 'line 4 rtsp://u:***@cam/x']);
    expect(tail.last(1)).toEqual(['line 4 rtsp://u:***@cam/x']);
    tail.clear();
    expect(tail.last()).toEqual([]);
  });
});

describe('stream description parsing', () => {
  it('reads the camera size from the input section and the frame size from the output section', () => {
    const p = new StreamInfoParser();
    expect(p.push("Input #0, rtsp, from 'rtsp://u:***@cam/x':")).toBeNull();
    expect(p.push('  Stream #0:0: Video: h264 (Constrained Baseline), yuv420p(progressive), 1920x1080, 25 fps, 25 tbr, 90k tbn')).toEqual({
      input: { width: 1920, height: 1080 },
    });
    expect(p.push("Output #0, rawvideo, to 'pipe:':")).toBeNull();
    expect(
      p.push('  Stream #0:0: Video: rawvideo (RGB[24] / 0x18424752), rgb24(pc, gbr/smpte170m/smpte170m, progressive), 640x360 [SAR 1:1 DAR 16:9], q=2-31'),
    ).toEqual({ output: { width: 640, height: 360 } });
  });

  it('reads the plate picture size from the second output section', () => {
    const p = new StreamInfoParser();
    p.push("Output #0, rawvideo, to 'pipe:1':");
    expect(p.push('  Stream #0:0: Video: rawvideo (RGB[24] / 0x18424752), rgb24(pc, gbr/unknown/unknown, progressive), 1280x720 [SAR 1:1 DAR 16:9], q=2-31')).toEqual({
      output: { width: 1280, height: 720 },
    });
    expect(p.push("Output #1, rawvideo, to 'unix:/tmp/roadside-plate-x/plate.sock':")).toBeNull();
    expect(p.push('  Stream #1:0: Video: rawvideo (I420 / 0x30323449), yuv420p(progressive), 1920x1080 [SAR 1:1 DAR 16:9], q=2-31')).toEqual({
      plate: { width: 1920, height: 1080 },
    });
  });

  it('ignores stream lines outside a section and lines without a size', () => {
    const p = new StreamInfoParser();
    expect(p.push('  Stream #0:0: Video: h264, yuv420p, 1280x720')).toBeNull();
    expect(parseVideoStreamLine('  Stream #0:1: Audio: aac, 48000 Hz')).toBeNull();
    expect(parseVideoStreamLine('  Stream #0:0(und): Video: h264 (avc1 / 0x31637661), yuv420p(tv, bt709), 1920x1080 [SAR 1:1 DAR 16:9], 30 fps')).toEqual({
      width: 1920,
      height: 1080,
    });
    expect(parseVideoStreamLine('  Stream #0:0: Video: h264 (High) (avc1 / 0x31637661), yuv420p, 0x0')).toBeNull();
  });
});
