// Plate text: decoding the OCR models' outputs and normalising what they read.

import type { CharRead } from '../plate/formats.js';
import { foldPlate, normalizePlateText } from '../plate/text.js';

export { normalizePlateText };

/** Rows of a plate read separately (PP-OCR rec reads one line), merged top to bottom. */
export function mergeRows(rows: ReadonlyArray<{ y: number; text: string }>): string {
  return [...rows].sort((a, b) => a.y - b.y).map((r) => normalizePlateText(r.text)).join('');
}

export interface TextRead {
  text: string;
  /** Mean of the winning probabilities over the slots or kept steps, 0..1. */
  confidence: number;
  /** Per kept character: the reader's best and second choice with their probabilities (slot readers only). */
  chars?: CharRead[];
}

/**
 * fast-plate-ocr (CCT) output [N, slots, alphabet]: argmax per slot, padding character (the
 * alphabet's last) dropped; each kept slot also gives its second choice. Confidence: the mean
 * winning probability over all slots (padding included, as fast-plate-ocr reports it).
 */
export function decodeSlots(data: Float32Array, dims: readonly number[], alphabet: string): TextRead[] {
  const [n = 0, slots = 0, k = 0] = dims;
  if (dims.length !== 3 || k !== alphabet.length) {
    throw new RangeError(`plate reader output [${dims.join(',')}] does not match an alphabet of ${alphabet.length}`);
  }
  const pad = alphabet[alphabet.length - 1];
  const out: TextRead[] = [];
  for (let b = 0; b < n; b++) {
    let text = '';
    let sum = 0;
    const chars: CharRead[] = [];
    for (let s = 0; s < slots; s++) {
      const p = (b * slots + s) * k;
      let best = 0;
      let second = -1;
      for (let c = 1; c < k; c++) {
        if (data[p + c]! > data[p + best]!) [second, best] = [best, c];
        else if (second < 0 || data[p + c]! > data[p + second]!) second = c;
      }
      sum += data[p + best]!;
      const ch = alphabet[best]!;
      if (ch === pad) continue;
      text += ch;
      const alt = second >= 0 && alphabet[second] !== pad ? alphabet[second]! : null;
      chars.push({ char: ch, p: data[p + best]!, alt, altP: alt === null ? 0 : data[p + second]! });
    }
    out.push({ text, confidence: slots > 0 ? sum / slots : 0, chars });
  }
  return out;
}

/** A region head [N, regions]: the most likely region of each batch item and its probability. */
export function decodeRegions(data: Float32Array, dims: readonly number[], names: readonly string[]): Array<{ name: string; confidence: number }> {
  const [n = 0, k = 0] = dims;
  if (dims.length !== 2 || k !== names.length) {
    throw new RangeError(`region output [${dims.join(',')}] does not match ${names.length} region names`);
  }
  const out = [];
  for (let b = 0; b < n; b++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (data[b * k + c]! > data[b * k + best]!) best = c;
    out.push({ name: names[best]!, confidence: data[b * k + best]! });
  }
  return out;
}

/**
 * CTC greedy decode of PP-OCR rec output [1, T, C]: argmax per step, repeats collapsed,
 * blank (index 0) dropped; index i ≥ 1 is keys[i - 1], the index after the keys is a space.
 */
export function decodeCtc(data: Float32Array, dims: readonly number[], keys: readonly string[]): TextRead {
  const [, steps = 0, k = 0] = dims;
  let text = '';
  let sum = 0;
  let kept = 0;
  let prev = -1;
  for (let t = 0; t < steps; t++) {
    const p = t * k;
    let best = 0;
    for (let c = 1; c < k; c++) if (data[p + c]! > data[p + best]!) best = c;
    if (best !== 0 && best !== prev) {
      text += best - 1 < keys.length ? keys[best - 1]! : ' ';
      sum += data[p + best]!;
      kept++;
    }
    prev = best;
  }
  return { text, confidence: kept > 0 ? sum / kept : 0 };
}

/** A key for comparing plate reads that differ only by characters OCR confuses; never for display. */
export function plateMatchKey(text: string): string {
  return foldPlate(text);
}
