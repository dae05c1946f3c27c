import { describe, expect, it } from 'vitest';
import type { PlateTextRead } from '../../src/detect/plate.js';
import { plateWindows, preferReread, preferRereads, weakestSlot, WINDOW_ASPECT, withMargin } from '../../src/detect/plate-reread.js';
import { PlateFormats } from '../../src/plate/check.js';
import { PlatesSchema } from '../../src/config/plates.js';
import { exampleConfig } from '../helpers/config.js';

/** A read of `text` with every character at `p` except those given (position → probability). */
function read(text: string, low: Record<number, number> = {}, region = 'Indonesia'): PlateTextRead {
  const chars = [...text].map((char, i) => ({ char, p: low[i] ?? 0.99, alt: null, altP: 0 }));
  return { raw: text, text, confidence: 0.9, chars, region: { name: region, confidence: 0.99 } };
}

const formats = new PlateFormats(PlatesSchema.parse(exampleConfig().plates), null);
const fits = (r: PlateTextRead): boolean => formats.fits(r.chars, r.region);

describe('weakestSlot', () => {
  it.each([
    { what: 'a sure read', r: read('H6832CV'), want: 0.99 },
    { what: 'its least sure character', r: read('H5606CL', { 5: 0.47, 6: 0.34 }), want: 0.34 },
    { what: 'an empty read', r: read(''), want: 0 },
  ])('$what', ({ r, want }) => expect(weakestSlot(r)).toBe(want));
});

describe('withMargin', () => {
  const plate = (x1: number, y1: number, x2: number, y2: number) => ({ box: { x1, y1, x2, y2 }, rows: [{ x1, y1, x2, y2 }], score: 0.6 });
  it('widens the box and its rows by 4% of the width at each side and 6% of the height above and below', () => {
    // motor7's detector box, 369×174 px in a 640×480 close-up.
    const m = withMargin(plate(184, 120, 553, 294), 640, 480)!;
    const r = (b: { x1: number; y1: number; x2: number; y2: number }) => [b.x1, b.y1, b.x2, b.y2].map((v) => Math.round(v * 100) / 100);
    expect(r(m.box)).toEqual([169.24, 109.56, 567.76, 304.44]);
    expect(r(m.rows[0]!)).toEqual(r(m.box));
    expect(m.score).toBe(0.6);
  });
  it('stays inside the image', () => {
    expect(withMargin(plate(0, 0, 100, 50), 120, 60)!.box).toEqual({ x1: 0, y1: 0, x2: 104, y2: 53 });
  });
  it('is null when the image leaves no margin (a crop that is the whole image)', () => {
    expect(withMargin(plate(0, 0, 128, 64), 128, 64)).toBeNull();
  });
});

// The reads of the Indonesian close-ups (moto-plates id_park_motor*): the detector's box, then with the margin.
describe('preferReread', () => {
  it.each([
    { what: 'motor7: the last slot sure with the margin', first: read('H5606CL', { 5: 0.47, 6: 0.34 }), again: read('H5606CI', { 5: 0.62 }), keep: 'again' },
    { what: 'motor4: the validity row no longer bleeds into the last slot', first: read('H5498QZ', { 6: 0.28 }), again: read('H5498QC', { 6: 0.97 }), keep: 'again' },
    { what: 'a re-read no surer than the read', first: read('H6954DK', { 0: 0.59 }), again: read('W6954DK', { 0: 0.47 }), keep: 'first' },
    { what: 'a re-read fitting no format, however sure', first: read('59V215800', { 3: 0.3 }, 'Vietnam'), again: read('59VV15800', {}, 'Vietnam'), keep: 'first' },
    { what: 'a first read fitting no format, the re-read fitting one', first: read('59VV15800', { 3: 0.3 }, 'Vietnam'), again: read('59V215800', { 3: 0.4 }, 'Vietnam'), keep: 'again' },
    { what: 'an empty first read', first: read(''), again: read('H5683PK', { 6: 0.45 }), keep: 'again' },
    { what: 'an empty re-read', first: read('K5683', { 0: 0.08 }), again: read(''), keep: 'first' },
  ])('$what: keeps the $keep', ({ first, again, keep }) => {
    expect(preferReread(first, again, fits)).toBe(keep === 'again' ? again : first);
  });
});

describe('plateWindows', () => {
  const plate = (x1: number, y1: number, x2: number, y2: number) => ({ box: { x1, y1, x2, y2 }, rows: [{ x1, y1, x2, y2 }], score: 0.75 });
  const ys = (p: ReturnType<typeof plate>) => plateWindows(p).map((w) => [Math.round(w.box.y1), Math.round(w.box.y2)]);
  it.each([
    // id_park_motor8's loose box over the plate and the fender: 300 × 300 px
    { what: 'a square box: windows 2.2:1 from its top to its bottom, at most a quarter of a window apart', p: plate(166, 156, 466, 463), want: [[156, 292], [184, 321], [213, 349], [241, 378], [270, 406], [298, 435], [327, 463]] },
    // id_park_motor16's: 404 × 275 px
    { what: 'a box 1.5 times as wide as tall', p: plate(95, 6, 499, 281), want: [[6, 190], [52, 235], [97, 281]] },
    { what: 'a plate-shaped box (2:1 and wider) has none', p: plate(184, 120, 553, 294), want: [] },
    { what: 'a one-row plate has none', p: plate(0, 0, 200, 50), want: [] },
  ])('$what', ({ p, want }) => {
    expect(ys(p)).toEqual(want);
  });
  it('keeps the box\'s width, its score, and makes each window its own row', () => {
    for (const w of plateWindows(plate(166, 156, 466, 463))) {
      expect([w.box.x1, w.box.x2, w.score]).toEqual([166, 466, 0.75]);
      expect(w.rows).toEqual([w.box]);
      expect((w.box.x2 - w.box.x1) / (w.box.y2 - w.box.y1)).toBeCloseTo(WINDOW_ASPECT, 6);
    }
  });
});

// id_park_motor8's box read `K5683`; windows of it read these (the reader's own probabilities, rounded).
describe('preferRereads', () => {
  const first = read('K5683', { 0: 0.13, 1: 0.46 });
  it.each([
    { what: 'the surest read that fits a format', again: [read('A5683FK', { 5: 0.84 }), read('H5683PK', { 5: 0.97 }), read('L5683PK', { 0: 0.41 })], want: 1 },
    { what: 'empty windows (over the fender) change nothing', again: [read(''), read('H5683PK', { 5: 0.97 }), read('')], want: 1 },
    { what: 'none fitting a format: the first read stays', again: [read('HHHHHHHHHH'), read('')], want: null },
    { what: 'no re-reads: the first read', again: [], want: null },
  ])('$what', ({ again, want }) => {
    expect(preferRereads(first, again, fits)).toBe(want === null ? first : again[want]);
  });
});
