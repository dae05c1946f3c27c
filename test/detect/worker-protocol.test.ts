import { describe, expect, it } from 'vitest';
import { frameForTransfer } from '../../src/detect/worker-protocol.js';
import type { Frame } from '../../src/shared/types.js';

describe('frames crossing to the detector worker', () => {
  it('moves the frame and its plate picture when each owns its buffer', () => {
    const data = new Uint8Array(12);
    const picture = new Uint8Array(6);
    const frame: Frame = { seq: 3, width: 2, height: 2, capturedAt: 1, data, full: { width: 2, height: 2, data: picture } };
    const { frame: sent, transfer } = frameForTransfer(frame);
    expect(transfer).toEqual([data.buffer, picture.buffer]);
    expect(sent.data).toBe(data);
    expect(sent.full!.data).toBe(picture);
  });

  it('copies a view on a larger or shared buffer instead of moving memory the caller still uses', () => {
    const pool = new Uint8Array(32);
    const frame: Frame = { seq: 0, width: 2, height: 2, capturedAt: 0, data: pool.subarray(0, 12), full: { width: 2, height: 2, data: pool.subarray(12, 18) } };
    pool[0] = 7;
    const { frame: sent, transfer } = frameForTransfer(frame);
    expect(transfer).toEqual([]);
    expect(sent.data.buffer).not.toBe(pool.buffer);
    expect(sent.full!.data.buffer).not.toBe(pool.buffer);
    expect([sent.data.length, sent.full!.data.length, sent.data[0]]).toEqual([12, 6, 7]);
  });

  it('a frame without a plate picture moves its own buffer only', () => {
    const data = new Uint8Array(12);
    const { frame: sent, transfer } = frameForTransfer({ seq: 0, width: 2, height: 2, capturedAt: 0, data });
    expect(transfer).toEqual([data.buffer]);
    expect(sent.full).toBeUndefined();
  });
});
