import { describe, expect, it } from 'vitest';
import { platePixelsAdvice } from '../../src/config/probes.js';

const detect = { width: 1280, height: 720, fps: 5 };

describe('check-config: what it says about camera.plate_pixels for the stream the camera sends', () => {
  const cases: Array<[string, { width: number; height: number } | null, number, number, RegExp | null]> = [
    ['a 1080p stream, no plate pictures: suggests the camera size', null, 1920, 1080, /set camera\.plate_pixels to \{ "width": 1920, "height": 1080 \}/],
    ['a stream no larger than detect: nothing to say', null, 1280, 720, null],
    ['a 640x360 sub-stream: nothing to say', null, 640, 360, null],
    ['plate pictures at the stream size: nothing to say', { width: 1920, height: 1080 }, 1920, 1080, null],
    ['plate pictures larger than the stream: upscaled, says so', { width: 2560, height: 1440 }, 1920, 1080, /larger than the stream: set it to \{ "width": 1920, "height": 1080 \}, or null/],
    ['plate pictures smaller than a 4K stream: says they are scaled down', { width: 1920, height: 1080 }, 3840, 2160, /smaller than the stream \(3840x2160\)/],
    ['an odd stream size is rounded down to even for yuv420p', null, 1921, 1081, /\{ "width": 1920, "height": 1080 \}/],
    ['no size from ffprobe: nothing to say', null, 0, 0, null],
  ];
  for (const [name, full, w, h, want] of cases) {
    it(name, () => {
      const advice = platePixelsAdvice({ detect, plate_pixels: full }, w, h);
      if (want === null) expect(advice).toBeNull();
      else expect(advice).toMatch(want);
    });
  }
});
