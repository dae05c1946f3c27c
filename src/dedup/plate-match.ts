// Fuzzy plate matching: OCR confuses some characters, so two reads of one plate are compared on
// a folded form where each confusable group becomes one character, then by edit distance.

/** Each confusable group folds to its first member. */
const CONFUSABLE_GROUPS = ['0ODQ', '1IL', '8B', '5S', '2Z', '6G'] as const;

const FOLD: ReadonlyMap<string, string> = new Map(
  CONFUSABLE_GROUPS.flatMap((group) => [...group].map((ch) => [ch, group[0]!] as const)),
);

/** Upper-case alphanumerics only (what the detect stage already hands over, made sure of). */
export function normalisePlate(text: string): string {
  return text.toUpperCase().replace(/[^A-Z0-9]/g, '');
}

/** The form plates are compared on: normalised, each confusable group folded to one character. */
export function foldPlate(text: string): string {
  let out = '';
  for (const ch of normalisePlate(text)) out += FOLD.get(ch) ?? ch;
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
