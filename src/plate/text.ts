// Plate text: what a plate string is (upper-case A-Z0-9), which characters readers confuse, and
// how two reads of one plate are compared. The one place the agent's plate alphabet is defined:
// the readers, the format repair, the track's plate consensus and dedup all use it.

/** Upper-case A-Z0-9 only; accents folded (Đ → D), everything else dropped. */
export function normalizePlateText(raw: string): string {
  return raw
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[đĐ]/g, 'D')
    .toUpperCase()
    .replace(/[^A-Z0-9]/g, '');
}

/** Each confusable group folds to its first member (a digit). */
export const CONFUSABLE_GROUPS = ['0ODQ', '1IL', '8B', '5S', '2Z', '6G'] as const;

const FOLD: ReadonlyMap<string, string> = new Map(
  CONFUSABLE_GROUPS.flatMap((group) => [...group].map((ch) => [ch, group[0]!] as const)),
);

/** A letter read where a digit must be: the digit it most likely is. */
export const LETTER_TO_DIGIT: Readonly<Record<string, string>> = {
  O: '0', Q: '0', D: '0', U: '0', I: '1', L: '1', J: '1', T: '7', Z: '2', S: '5', B: '8', G: '6', A: '4',
};

/** A digit read where a letter must be: the letters it may be, most likely first. */
export const DIGIT_TO_LETTERS: Readonly<Record<string, readonly string[]>> = {
  '0': ['O', 'D', 'Q'], '1': ['I', 'L'], '2': ['Z'], '4': ['A'], '5': ['S'], '6': ['G'], '7': ['T'], '8': ['B'],
};

export const isDigit = (ch: string): boolean => ch >= '0' && ch <= '9';
export const isLetter = (ch: string): boolean => ch >= 'A' && ch <= 'Z';

/** The form plates are compared on: normalised, each confusable group folded to one character. */
export function foldPlate(text: string): string {
  let out = '';
  for (const ch of normalizePlateText(text)) out += FOLD.get(ch) ?? ch;
  return out;
}

/** Levenshtein distance; stops early and returns `limit + 1` once the distance must exceed `limit`. */
export function editDistance(a: string, b: string, limit = Number.POSITIVE_INFINITY): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let prev = new Array<number>(b.length + 1);
  let cur = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > limit) return limit + 1;
    [prev, cur] = [cur, prev];
  }
  return prev[b.length]!;
}

/** Whether two plate texts are one plate: folded forms within `maxDistance` edits. */
export function samePlate(a: string, b: string, maxDistance: number): boolean {
  return editDistance(foldPlate(a), foldPlate(b), maxDistance) <= maxDistance;
}
