// The replay gate (pure, no ffmpeg): bytes reach the frame source at most one frame ahead of
// what the consumer took, the rest waits in the pipe (its write callback held).
import { describe, expect, it } from 'vitest';
import { ReplayGate } from '../../src/commands/replay.js';

function harness(frameBytes: number) {
  const gate = new ReplayGate(frameBytes);
  let passed = 0;
  let acked = 0;
  const write = (n: number) => gate.write(Buffer.alloc(n), (c) => (passed += c.length), () => acked++);
  return { gate, write, passed: () => passed, acked: () => acked };
}

describe('replay gate', () => {
  it.each([
    { name: 'chunks smaller than a frame', chunks: [4, 4, 4, 4], frame: 10, passed: 10, acked: 2 },
    { name: 'one chunk holding three frames', chunks: [30], frame: 10, passed: 10, acked: 0 },
    { name: 'a chunk ending exactly on the frame', chunks: [6, 4], frame: 10, passed: 10, acked: 2 },
  ])('lets one frame through before the consumer asks: $name', ({ chunks, frame, passed, acked }) => {
    const h = harness(frame);
    // Like a Writable: the next chunk only comes once the previous one was acknowledged.
    for (let i = 0; i < chunks.length && h.acked() === i; i++) h.write(chunks[i]!);
    expect([h.passed(), h.acked()]).toEqual([passed, acked]);
  });

  it('releases exactly one more frame per grant and acknowledges the chunk once it is through', () => {
    const h = harness(10);
    h.write(25);
    expect([h.passed(), h.acked()]).toEqual([10, 0]);
    h.gate.grant();
    expect([h.passed(), h.acked()]).toEqual([20, 0]);
    h.gate.grant();
    expect([h.passed(), h.acked()]).toEqual([25, 1]);
    // 5 bytes of credit left: the next frame's first half passes at once.
    h.write(5);
    expect([h.passed(), h.acked()]).toEqual([30, 2]);
  });

  it('forgets the held chunk when ffmpeg is gone', () => {
    const h = harness(10);
    h.write(25);
    h.gate.drop();
    h.gate.grant();
    expect([h.passed(), h.acked()]).toEqual([10, 0]);
  });
});
