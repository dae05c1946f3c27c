/**
 * Young-generation collections on demand, for the two places that make short-lived
 * ArrayBuffers at a steady rate: ffmpeg's pipe chunks in the main thread (64 KB each, ~14 MB/s
 * at 1280x720 and 5 fps) and the tensors of every inference in the detector worker.
 *
 * Why: V8 frees a dead ArrayBuffer's memory (malloc'd outside its heap) only when it collects
 * the object. With little JS garbage beside them, nothing else makes it scavenge until the
 * young ArrayBuffers add up to twice its largest semi-space (32 MB on 64-bit Node 20, a
 * constant no flag moves: --max-semi-space-size does not change it). glibc then keeps that
 * high-water mark in the process's heap. A scavenge of an almost empty young generation costs
 * a fraction of a millisecond, so collecting every couple of megabytes costs no measurable CPU.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export type MinorGc = () => void;

/** Bytes of short-lived ArrayBuffers after which a collector scavenges. */
export const DEFAULT_YOUNG_LIMIT_BYTES = 2 * 1024 * 1024;

/**
 * This isolate's minor GC, or null where V8 does not offer one. `gc` is exposed to new
 * contexts only (the main context stays as it was), the way jest's leak detector gets it.
 */
export function minorGc(): MinorGc | null {
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as unknown;
    if (typeof gc !== 'function') return null;
    return () => (gc as (options: { type: 'minor' }) => void)({ type: 'minor' });
  } catch {
    return null;
  }
}

/** Counts the bytes of short-lived buffers made and scavenges once they reach `limitBytes`. */
export class YoungCollector {
  private pending = 0;
  collections = 0;

  constructor(
    private readonly gc: MinorGc | null = minorGc(),
    private readonly limitBytes = DEFAULT_YOUNG_LIMIT_BYTES,
  ) {}

  /** `bytes` more of garbage-to-be were made; collects when they reach the limit. */
  add(bytes: number): void {
    this.pending += bytes;
    if (this.pending < this.limitBytes) return;
    this.pending = 0;
    if (!this.gc) return;
    this.gc();
    this.collections++;
  }
}
