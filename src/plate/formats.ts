// Plate formats: patterns of letter and digit slots per country/region, a read checked against
// them and repaired by position (a digit slot that reads `O` is `0`; a letter slot that reads
// `0` is `O` or `D`, by the reader's own second choice), or rejected when no pattern fits.
//
// Pattern syntax: `@` a letter, `#` a digit, `*` either, an upper-case letter or digit itself;
// each may be followed by `{n}` or `{m,n}`. `##@#{4,6}` is a Vietnamese plate (59X112345).
import { DIGIT_TO_LETTERS, foldPlate, isDigit, isLetter, LETTER_TO_DIGIT } from './text.js';

/** One slot of a concrete format: a class, or one fixed character. */
export type Slot = '@' | '#' | '*' | { readonly fixed: string };

export interface Format {
  /** The pattern it was expanded from, e.g. `##@#{4,6}`. */
  readonly pattern: string;
  readonly slots: readonly Slot[];
}

/** What the reader said about one character: its best and second-best choice. */
export interface CharRead {
  readonly char: string;
  readonly p: number;
  readonly alt: string | null;
  readonly altP: number;
}

export type FormatReject = 'no_format_of_length' | 'no_format_fits';

export type FormatVerdict =
  | { readonly ok: true; readonly text: string; readonly repaired: number; readonly pattern: string | null }
  | { readonly ok: false; readonly reason: FormatReject };

/** Expanding `{m,n}` makes one concrete format per length combination; more than this is a config error. */
const MAX_EXPANSION = 512;

/** Parses a pattern into concrete formats (one per combination of its repeat counts). */
export function expandPattern(pattern: string): Format[] {
  const re = /([@#*A-Z0-9])(?:\{(\d+)(?:,(\d+))?\})?/gy;
  const parts: Array<{ slot: Slot; min: number; max: number }> = [];
  let m: RegExpExecArray | null;
  let at = 0;
  while (at < pattern.length && (m = re.exec(pattern)) !== null) {
    const ch = m[1]!;
    const min = m[2] === undefined ? 1 : Number(m[2]);
    const max = m[3] === undefined ? min : Number(m[3]);
    if (max < min || max > 10) throw new RangeError(`plate pattern ${pattern}: bad repeat {${m[2]},${m[3]}}`);
    parts.push({ slot: ch === '@' || ch === '#' || ch === '*' ? ch : { fixed: ch }, min, max });
    at = re.lastIndex;
  }
  if (at !== pattern.length || parts.length === 0) throw new RangeError(`plate pattern ${pattern}: unexpected "${pattern.slice(at)}" (use @ # * A-Z 0-9 and {m,n})`);
  let out: Slot[][] = [[]];
  for (const part of parts) {
    const next: Slot[][] = [];
    for (const prefix of out) for (let n = part.min; n <= part.max; n++) next.push([...prefix, ...Array<Slot>(n).fill(part.slot)]);
    out = next;
    if (out.length > MAX_EXPANSION) throw new RangeError(`plate pattern ${pattern}: more than ${MAX_EXPANSION} lengths combined`);
  }
  return out.filter((slots) => slots.length > 0).map((slots) => ({ pattern, slots }));
}

/** The character a slot takes for a read character, and whether that is a repair; null if it cannot. */
function fitSlot(slot: Slot, read: CharRead): { char: string; repaired: boolean } | null {
  const c = read.char;
  if (slot === '*') return { char: c, repaired: false };
  if (typeof slot === 'object') {
    if (c === slot.fixed) return { char: c, repaired: false };
    return foldPlate(c) === foldPlate(slot.fixed) ? { char: slot.fixed, repaired: true } : null;
  }
  if (slot === '#') {
    if (isDigit(c)) return { char: c, repaired: false };
    if (read.alt !== null && isDigit(read.alt) && LETTER_TO_DIGIT[c] === read.alt) return { char: read.alt, repaired: true };
    const d = LETTER_TO_DIGIT[c];
    return d === undefined ? null : { char: d, repaired: true };
  }
  if (isLetter(c)) return { char: c, repaired: false };
  const letters = DIGIT_TO_LETTERS[c] ?? [];
  if (read.alt !== null && letters.includes(read.alt)) return { char: read.alt, repaired: true };
  return letters.length > 0 ? { char: letters[0]!, repaired: true } : null;
}

/** A read against one format: the repaired text and how many slots were repaired, or null. */
export function fitFormat(reads: readonly CharRead[], format: Format): { text: string; repaired: number } | null {
  if (reads.length !== format.slots.length) return null;
  let text = '';
  let repaired = 0;
  for (let i = 0; i < reads.length; i++) {
    const fit = fitSlot(format.slots[i]!, reads[i]!);
    if (!fit) return null;
    text += fit.char;
    if (fit.repaired) repaired++;
  }
  return { text, repaired };
}

/** A plain string as reads without second choices (for reads from a reader without slot scores). */
export function charReads(text: string): CharRead[] {
  return [...text].map((char) => ({ char, p: 1, alt: null, altP: 0 }));
}

/**
 * The read checked against formats: the format needing the fewest repairs wins (the first listed
 * on a tie); more than `maxRepairs` repairs is no fit. An empty format list accepts as read.
 */
export function checkFormats(reads: readonly CharRead[], formats: readonly Format[], maxRepairs: number): FormatVerdict {
  const text = reads.map((r) => r.char).join('');
  if (formats.length === 0) return { ok: true, text, repaired: 0, pattern: null };
  let best: { text: string; repaired: number; pattern: string } | null = null;
  let sameLength = false;
  for (const f of formats) {
    if (f.slots.length !== reads.length) continue;
    sameLength = true;
    const fit = fitFormat(reads, f);
    if (fit && fit.repaired <= maxRepairs && (!best || fit.repaired < best.repaired)) best = { ...fit, pattern: f.pattern };
    if (best?.repaired === 0) break;
  }
  if (best) return { ok: true, ...best };
  return { ok: false, reason: sameLength ? 'no_format_fits' : 'no_format_of_length' };
}
