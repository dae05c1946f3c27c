// A lossless hand-off with plate pictures: ffmpeg may write a frame or two before the picture of
// the frame before it. The gate's window (losslessWindow) must let it, or the consumer waits for
// a frame that waits for its picture, which waits behind the held pipe.
import { describe, expect, it } from 'vitest';
import { FrameGate } from '../../src/capture/frame-gate.js';
import { FramePairer } from '../../src/capture/frame-pairer.js';
import { losslessWindow } from '../../src/capture/handoff.js';
import { LatestSlot } from '../../src/capture/latest-frame.js';

/** ffmpeg's writes in order: frame n goes to the gated pipe, its picture `lag` frames later. */
function writes(frames: number, lag: number): Array<['frame' | 'picture', number]> {
  const out: Array<['frame' | 'picture', number]> = [];
  for (let n = 0; n < frames + lag; n++) {
    if (n < frames) out.push(['frame', n]);
    if (n - lag >= 0) out.push(['picture', n - lag]);
  }
  return out;
}

/** Plays the writes through the real gate, pairer and slot to a consumer; what it got, or 'stuck'. */
async function play(frames: number, lag: number, window: number): Promise<string[] | 'stuck'> {
  const gate = new FrameGate(1, window);
  const slot = new LatestSlot<string>(window);
  let overtaken = 0;
  const pairer = new FramePairer({ emit: (f, p) => void (slot.put(`${f[0]}${p ? '+' : '-'}`) && overtaken++), drop: () => undefined });
  const got: string[] = [];
  const consumer = (async () => {
    for (let item = await slot.next(); item !== null; item = await slot.next()) {
      got.push(item);
      gate.grant();
    }
  })();
  const ffmpeg = (async () => {
    for (const [what, n] of writes(frames, lag)) {
      if (what === 'picture') pairer.picture(Buffer.from([n]));
      // a write returns once the gate let all of it through: ffmpeg is blocked until then
      else await new Promise<void>((done) => gate.write(Buffer.from([n]), (c) => pairer.frame(c), done));
      await Promise.resolve();
    }
    pairer.flush();
    slot.close();
  })();
  const stuck = new Promise<'stuck'>((resolve) => setTimeout(() => resolve('stuck'), 300));
  const result = await Promise.race([ffmpeg.then(() => consumer).then(() => got), stuck]);
  expect(overtaken).toBe(0);
  return result;
}

describe('lossless hand-off with plate pictures', () => {
  it('a window of one frame leaves both sides waiting when ffmpeg writes a frame before the previous picture', async () => {
    await expect(play(6, 1, 1)).resolves.toBe('stuck');
  });

  it('the lossless window delivers every frame in order, each with its picture, with pictures up to two frames late', async () => {
    const window = losslessWindow({ plate: { target: 'unix:/x', outputOptions: [], width: 2, height: 2, frameBytes: 6 } });
    for (const lag of [0, 1, 2]) {
      await expect(play(8, lag, window), `lag ${lag}`).resolves.toEqual(['0+', '1+', '2+', '3+', '4+', '5+', '6+', '7+']);
    }
  });

  it('with pictures later than the pairer waits, frames still flow (without pictures), none lost', async () => {
    const window = losslessWindow({ plate: { target: 'unix:/x', outputOptions: [], width: 2, height: 2, frameBytes: 6 } });
    const got = await play(8, 6, window);
    expect(got).not.toBe('stuck');
    expect((got as string[]).map((s) => s[0])).toEqual(['0', '1', '2', '3', '4', '5', '6', '7']);
  });

  it('without plate pictures the window stays one frame', () => {
    expect(losslessWindow({})).toBe(1);
  });
});
