// Fuzzy plate matching for dedup: the plate module owns the alphabet, the confusable groups and
// the comparison; dedup and the track's plate consensus use them from here.
import { normalizePlateText } from '../plate/text.js';

export { editDistance, foldPlate, samePlate } from '../plate/text.js';

/** Upper-case alphanumerics only (what the detect stage already hands over, made sure of). */
export function normalisePlate(text: string): string {
  return normalizePlateText(text);
}
