// Sampling taps along one axis: which source pixels feed each tensor pixel, and with what
// weights. Built once per axis, so the resampling loops only read tables.
import type { Interpolation } from './tensor-spec.js';

/** Source taps per output coordinate along one axis: `count[d]` taps starting at `start[d]`. */
export interface AxisTaps {
  start: Int32Array;
  count: Int32Array;
  index: Int32Array;
  weight: Float32Array;
}

/**
 * Builds the sampling taps for `n` output pixels covering [from, from + n / scale) of a source
 * axis of `size` pixels. Bilinear uses pixel centres like OpenCV's INTER_LINEAR; area
 * averages the source footprint (OpenCV's INTER_AREA when shrinking; bilinear when enlarging).
 * Out-of-image taps are clamped to the edge pixels.
 */
export function axisTaps(n: number, from: number, scale: number, size: number, interpolation: Interpolation): AxisTaps {
  const inv = 1 / scale;
  const useArea = interpolation === 'area' && inv > 1;
  const maxTaps = useArea ? Math.ceil(inv) + 2 : 2;
  const start = new Int32Array(n);
  const count = new Int32Array(n);
  const index = new Int32Array(n * maxTaps);
  const weight = new Float32Array(n * maxTaps);
  const clampIdx = (i: number): number => (i < 0 ? 0 : i >= size ? size - 1 : i);
  let k = 0;
  for (let d = 0; d < n; d++) {
    start[d] = k;
    if (useArea) {
      const s0 = from + d * inv;
      const s1 = s0 + inv;
      let total = 0;
      const first = k;
      for (let i = Math.floor(s0); i < s1; i++) {
        const w = Math.min(i + 1, s1) - Math.max(i, s0);
        if (w <= 1e-9) continue;
        index[k] = clampIdx(i);
        weight[k] = w;
        total += w;
        k++;
      }
      for (let j = first; j < k; j++) weight[j] = weight[j]! / total;
    } else {
      const c = from + (d + 0.5) * inv - 0.5;
      const i0 = Math.floor(c);
      const f = c - i0;
      index[k] = clampIdx(i0);
      weight[k] = 1 - f;
      k++;
      if (f > 1e-9) {
        index[k] = clampIdx(i0 + 1);
        weight[k] = f;
        k++;
      }
    }
    count[d] = k - start[d]!;
  }
  return { start, count, index, weight };
}

/** The most taps any output pixel of the axis has (≤ 2: the two-tap fast path applies). */
export function maxTaps(taps: AxisTaps): number {
  let m = 0;
  for (let d = 0; d < taps.count.length; d++) if (taps.count[d]! > m) m = taps.count[d]!;
  return m;
}
