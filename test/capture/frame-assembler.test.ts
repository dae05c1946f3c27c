import { describe, expect, it } from 'vitest';
import { FrameAssembler } from '../../src/capture/frame-assembler.js';

/** Deterministic PRNG (mulberry32) so a failure can be replayed from its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A byte stream of `frames` frames where byte j of frame i is (i * 31 + j) & 0xff. */
function stream(frameBytes: number, frames: number): Buffer {
  const b = Buffer.alloc(frameBytes * frames);
  for (let i = 0; i < frames; i++) for (let j = 0; j < frameBytes; j++) b[i * frameBytes + j] = (i * 31 + j) & 0xff;
  return b;
}

function collect(frameBytes: number) {
  const frames: Buffer[] = [];
  let allocations = 0;
  const asm = new FrameAssembler(
    frameBytes,
    () => {
      allocations++;
      return Buffer.alloc(frameBytes);
    },
    (f) => frames.push(f),
  );
  return { asm, frames, allocations: () => allocations };
}

describe('frame assembly', () => {
  for (const seed of [1, 2, 3, 42, 1234]) {
    it(`cuts exact frames whatever the chunk boundaries (seed ${seed})`, () => {
      const rnd = prng(seed);
      const frameBytes = 8 * 5 * 3;
      const data = stream(frameBytes, 50);
      const { asm, frames } = collect(frameBytes);
      let off = 0;
      while (off < data.length) {
        // chunks from 1 byte to 3.5 frames, so chunks end mid-frame and hold several frames
        const len = Math.min(data.length - off, 1 + Math.floor(rnd() * frameBytes * 3.5));
        asm.push(data.subarray(off, off + len));
        off += len;
      }
      expect(frames).toHaveLength(50);
      frames.forEach((f, i) => expect(f.equals(data.subarray(i * frameBytes, (i + 1) * frameBytes)), `frame ${i}`).toBe(true));
      expect(asm.partialBytes).toBe(0);
    });
  }

  it('keeps a partial frame until its last byte arrives', () => {
    const { asm, frames } = collect(12);
    asm.push(Buffer.alloc(11, 7));
    expect(frames).toHaveLength(0);
    expect(asm.partialBytes).toBe(11);
    asm.push(Buffer.from([7, 9]));
    expect(frames).toHaveLength(1);
    expect(asm.partialBytes).toBe(1);
    expect(frames[0]!.every((b) => b === 7)).toBe(true);
  });

  it('allocates per frame, not per chunk', () => {
    const { asm, frames, allocations } = collect(100);
    const data = stream(100, 10);
    for (let i = 0; i < data.length; i += 7) asm.push(data.subarray(i, i + 7));
    expect(frames).toHaveLength(10);
    expect(allocations()).toBe(10);
  });

  it('reset drops a partial frame and reports its size; the next frame starts clean', () => {
    const { asm, frames } = collect(10);
    asm.push(Buffer.alloc(4, 1));
    expect(asm.reset()).toBe(4);
    asm.push(Buffer.alloc(10, 2));
    expect(frames).toHaveLength(1);
    expect(frames[0]!.every((b) => b === 2)).toBe(true);
  });

  it('handles an empty chunk and rejects a bad frame size', () => {
    const { asm, frames } = collect(10);
    asm.push(Buffer.alloc(0));
    expect(frames).toHaveLength(0);
    expect(() => new FrameAssembler(0, () => Buffer.alloc(0), () => undefined)).toThrow(RangeError);
  });
});
