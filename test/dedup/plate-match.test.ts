import { describe, expect, it } from 'vitest';
import { editDistance, foldPlate, normalisePlate, samePlate } from '../../src/dedup/plate-match.js';

describe('plate folding', () => {
  it.each([
    { text: 'abc-123.4', normal: 'ABC1234', folded: 'A8C1234' },
    { text: '0ODQ', normal: '0ODQ', folded: '0000' },
    { text: '1IL', normal: '1IL', folded: '111' },
    { text: '8B 5S 2Z 6G', normal: '8B5S2Z6G', folded: '88552266' },
    { text: '59X1 123.45', normal: '59X112345', folded: '59X112345' },
  ])('$text → $folded', ({ text, normal, folded }) => {
    expect(normalisePlate(text)).toBe(normal);
    expect(foldPlate(text)).toBe(folded);
  });
});

describe('edit distance', () => {
  it.each([
    { a: '', b: '', d: 0 },
    { a: 'ABC', b: '', d: 3 },
    { a: 'ABC1234', b: 'ABC1234', d: 0 },
    { a: 'ABC1234', b: 'ABC123', d: 1 },
    { a: 'ABC1234', b: 'ABX1234', d: 1 },
    { a: 'ABC1234', b: 'BAC1234', d: 2 },
    { a: 'kitten', b: 'sitting', d: 3 },
  ])('$a ↔ $b = $d', ({ a, b, d }) => {
    expect(editDistance(a, b)).toBe(d);
    expect(editDistance(b, a)).toBe(d);
  });

  it('stops past the limit and says so with limit + 1', () => {
    expect(editDistance('AAAAAAAA', 'BBBBBBBB', 1)).toBe(2);
    expect(editDistance('A', 'ABCDEF', 2)).toBe(3);
  });
});

describe('same plate', () => {
  it.each([
    { a: 'ABC1234', b: 'A8C1234', max: 1, same: true, why: '8/B fold together' },
    { a: 'ABC1234', b: 'ABC123', max: 1, same: true, why: 'one character missing' },
    { a: 'A8C1234', b: 'ABC123', max: 1, same: true, why: 'fold plus one missing' },
    { a: '59X1O2345', b: '59XI02345', max: 0, same: true, why: 'O/0 and 1/I fold, distance 0' },
    { a: '5Z6G', b: 'S2G6', max: 0, same: true, why: 'every confusable group' },
    { a: 'ABC1234', b: 'XYZ9876', max: 1, same: false, why: 'another plate' },
    { a: '59X112345', b: '51F198765', max: 1, same: false, why: 'another bike' },
    { a: 'ABC1234', b: 'ABC12', max: 1, same: false, why: 'two characters missing' },
  ])('$a vs $b (≤ $max): $same ($why)', ({ a, b, max, same }) => {
    expect(samePlate(a, b, max)).toBe(same);
  });
});
