import { describe, expect, it } from 'vitest';
import { decodeCtc, decodeRegions, decodeSlots, mergeRows, normalizePlateText, plateMatchKey } from '../../src/detect/plate-text.js';

describe('normalizePlateText', () => {
  it.each([
    ['77-L1 387.77', '77L138777'],
    ['ab 12-cd', 'AB12CD'],
    ['51F-123.45', '51F12345'],
    ['Đ29 ÂB', 'D29AB'],
    ['浙A·12345', 'A12345'],
    ['', ''],
    ['  ', ''],
  ])('%j → %j', (raw, want) => expect(normalizePlateText(raw)).toBe(want));
});

describe('mergeRows', () => {
  it('joins rows top to bottom whatever order they come in', () => {
    expect(mergeRows([{ y: 30, text: '138.77' }, { y: 10, text: '77-L1' }])).toBe('77L113877');
  });
});

const ALPHA = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_';

/** [n, slots, 37] with a one-hot (p) at each wanted character. */
function slots(texts: string[], nSlots = 9, p = 0.9): { data: Float32Array; dims: number[] } {
  const k = ALPHA.length;
  const data = new Float32Array(texts.length * nSlots * k).fill((1 - p) / (k - 1));
  texts.forEach((t, b) => {
    const padded = t.padEnd(nSlots, '_');
    for (let s = 0; s < nSlots; s++) data[(b * nSlots + s) * k + ALPHA.indexOf(padded[s]!)] = p;
  });
  return { data, dims: [texts.length, nSlots, k] };
}

describe('decodeSlots (CCT reader)', () => {
  it('takes the argmax per slot and drops padding, per batch item', () => {
    const t = slots(['77L138777', 'AB12']);
    const reads = decodeSlots(t.data, t.dims, ALPHA);
    expect(reads.map((r) => r.text)).toEqual(['77L138777', 'AB12']);
    expect(reads[0]!.confidence).toBeCloseTo(0.9, 5);
  });

  it('refuses an output that does not match the alphabet', () => {
    expect(() => decodeSlots(new Float32Array(9 * 36), [1, 9, 36], ALPHA)).toThrow(/alphabet of 37/);
  });

  it('keeps each character\'s probability and the second choice (v2, 10 slots)', () => {
    const k = ALPHA.length;
    const t = slots(['0YO9034'], 10, 0.6);
    t.data[0 * k + ALPHA.indexOf('O')] = 0.3; // slot 0: "0" first, "O" second
    t.data[1 * k + ALPHA.indexOf('V')] = 0.25; // slot 1: "Y" first, "V" second
    const [r] = decodeSlots(t.data, t.dims, ALPHA);
    expect(r!.text).toBe('0YO9034');
    expect(r!.chars).toHaveLength(7);
    expect(r!.chars![0]).toEqual({ char: '0', p: expect.closeTo(0.6, 5), alt: 'O', altP: expect.closeTo(0.3, 5) });
    expect(r!.chars![1]).toMatchObject({ char: 'Y', alt: 'V' });
  });

  it('never gives the padding character as a second choice', () => {
    const k = ALPHA.length;
    const t = slots(['A'], 2, 0.6);
    t.data[0 * k + ALPHA.indexOf('_')] = 0.35;
    expect(decodeSlots(t.data, t.dims, ALPHA)[0]!.chars![0]!.alt).toBeNull();
  });
});

describe('decodeRegions (v2 region head)', () => {
  it('takes the most likely region per batch item', () => {
    const names = ['Brazil', 'Vietnam', 'Unknown'];
    const data = Float32Array.from([0.1, 0.8, 0.1, 0.6, 0.3, 0.1]);
    expect(decodeRegions(data, [2, 3], names)).toEqual([
      { name: 'Vietnam', confidence: expect.closeTo(0.8, 5) },
      { name: 'Brazil', confidence: expect.closeTo(0.6, 5) },
    ]);
  });
  it('refuses a head whose size does not match the names', () => {
    expect(() => decodeRegions(new Float32Array(66), [1, 66], ['A', 'B'])).toThrow(/66/);
  });
});

describe('decodeCtc (PP-OCR rec)', () => {
  const keys = ['A', 'B', '1'];
  // classes: 0 blank, 1 A, 2 B, 3 '1', 4 space
  function steps(seq: number[]): { data: Float32Array; dims: number[] } {
    const k = 5;
    const data = new Float32Array(seq.length * k);
    seq.forEach((c, t) => (data[t * k + c] = 1));
    return { data, dims: [1, seq.length, k] };
  }

  it.each([
    [[1, 1, 0, 1, 2, 2, 0, 3], 'AAB1'],
    [[0, 0, 0], ''],
    [[3, 4, 3], '1 1'],
    [[2, 0, 2], 'BB'],
  ])('collapses repeats and drops blanks: %j → %j', (seq, want) => {
    const t = steps(seq);
    expect(decodeCtc(t.data, t.dims, keys).text).toBe(want);
  });
});

describe('plateMatchKey', () => {
  it.each([
    ['0SG719', 'OSG719', true],
    ['HK0E7C', 'HKOE7C', true],
    ['R820503', 'R8Z0503', true],
    ['77L138777', '77L138777', true],
    ['77L138777', '77L183655', false],
    ['AB12', 'AB13', false],
  ])('%s ~ %s: %s', (a, b, same) => expect(plateMatchKey(a) === plateMatchKey(b)).toBe(same));
});
