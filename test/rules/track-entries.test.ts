import { describe, expect, it } from 'vitest';
import { plateCrop } from '../../src/rules/track-entries.js';
import type { Frame } from '../../src/shared/types.js';
import { yuvBytes } from '../../src/shared/yuv.js';

const frame = (full: boolean): Frame => {
  const data = new Uint8Array(128 * 72 * 3); // black detect frame
  if (!full) return { seq: 0, width: 128, height: 72, capturedAt: 0, data };
  // a grey plate picture at 1.5x: Y 126, no colour → RGB 128
  const picture = new Uint8Array(yuvBytes(192, 108)).fill(128);
  picture.fill(126, 0, 192 * 108);
  return { seq: 0, width: 128, height: 72, capturedAt: 0, data, full: { width: 192, height: 108, data: picture } };
};

describe('plate evidence crop', () => {
  const plate = { x1: 40, y1: 40, x2: 65, y2: 50 }; // 25 x 10 in detect pixels

  it('comes from the camera-resolution picture when the frame has one: 1.5x the pixels, padded by 12%', () => {
    const crop = plateCrop(frame(true), plate);
    // 37.5 x 15 at 1.5x, grown by 12% each side and cut to whole pixels
    expect([crop.width, crop.height]).toEqual([47, 19]);
    expect(new Set(crop.data)).toEqual(new Set([128]));
  });

  it('comes from the detect frame without one', () => {
    const crop = plateCrop(frame(false), plate);
    expect([crop.width, crop.height]).toEqual([31, 14]);
    expect(new Set(crop.data)).toEqual(new Set([0]));
  });
});
