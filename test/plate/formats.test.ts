import { describe, expect, it } from 'vitest';
import { PlatesSchema } from '../../src/config/plates.js';
import { PlateFormats } from '../../src/plate/check.js';
import { charReads, checkFormats, expandPattern, type CharRead } from '../../src/plate/formats.js';
import { exampleConfig } from '../helpers/config.js';

/** The formats the example config ships (motorcycle countries with regulated formats), as the agent loads them. */
const shipped = PlatesSchema.parse(exampleConfig().plates);
/** European and US formats an operator there would list (vanity plates exist: these are strict). */
const WEST = {
  'United States': ['*{2,8}'],
  Germany: ['@{2,5}#{1,4}', '@{2,5}#{1,4}@'],
  France: ['@@###@@'],
  Italy: ['@@###@@'],
  Spain: ['####@@@'],
  Poland: ['@@*{4,5}', '@@@*{4,5}'],
  'United Kingdom': ['@@##@@@'],
};
const all = { ...shipped, formats: { ...shipped.formats, ...WEST }, other_regions: 'all_formats' as const };
const formats = new PlateFormats(all, null);
const region = (name: string) => ({ name, confidence: 0.9 });

describe('expandPattern', () => {
  it('expands repeats into one concrete format per length', () => {
    expect(expandPattern('##@#{4,6}').map((f) => f.slots.length)).toEqual([7, 8, 9]);
    expect(expandPattern('@{1,2}#{1,4}@{0,3}')).toHaveLength(2 * 4 * 4);
    expect(expandPattern('##BH#{4}@{1,2}')[0]!.slots.slice(2, 4)).toEqual([{ fixed: 'B' }, { fixed: 'H' }]);
  });
  it.each(['', '##-##', '#{3,2}', '#{11}', 'abc', '*{0,10}*{0,10}*{0,10}'])('rejects %j', (p) => expect(() => expandPattern(p)).toThrow(RangeError));
  it('is checked when the config loads', () => {
    const r = PlatesSchema.safeParse({ formats: { Vietnam: ['##@-#{4}'] } });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toContain('##@-#{4}');
  });
});

// Real plates, as the plate says them (rows joined top to bottom), read cleanly: kept as read.
describe.each([
  ['Vietnam', ['29S175902', '77L138777', '51L73998', '59X112345', '30A12345', '51LD12345']],
  ['Thailand', ['1234', '9999']],
  ['Indonesia', ['H5498QC', 'B1234ABC', 'AB1234CD', 'D1A']],
  ['Brazil', ['AYO9034', 'JGZ3298', 'BRA2E19']],
  ['Germany', ['MAB1234', 'BXY12', 'MXY1234E']],
  ['France', ['AB123CD']],
  ['Italy', ['PP587AO']],
  ['Poland', ['WA56660', 'WSQ3021']],
  ['United Kingdom', ['OY09FEU']],
  ['United States', ['6HP995', '0SG719', 'K179658', 'GWT2180']],
])('%s plates as read', (name, plates) => {
  it.each(plates)('%s is kept', (text) => expect(formats.check(charReads(text), region(name))).toMatchObject({ ok: true, text, repaired: 0 }));
});

/** A read with the reader's second choice for some positions. */
function reads(text: string, alts: Record<number, string> = {}): CharRead[] {
  return [...text].map((char, i) => ({ char, p: 0.6, alt: alts[i] ?? null, altP: alts[i] ? 0.3 : 0 }));
}

// The reader has no region for India: an Indian camera lists its formats under "other".
const india = new PlateFormats({ ...all, formats: { other: ['@@#{1,2}@{0,3}#{4}', '##BH#{4}@{1,2}'] } }, ['Vietnam', 'Unknown']);
describe('India plates (formats under "other")', () => {
  it.each(['MH12DE1433', 'DL3CAY1234', 'KA01AB1234', 'TN9Q1234', '22BH1234AB'])('%s is kept', (text) =>
    expect(india.check(charReads(text), region('Unknown'))).toMatchObject({ ok: true, text, repaired: 0 }));
  it('MH12DEI433: digit slot reading I is repaired', () => expect(india.check(charReads('MH12DEI433'), region('Unknown'))).toMatchObject({ ok: true, text: 'MH12DE1433' }));
  it('MH12DE14E3 is rejected: E has no digit look-alike', () => expect(india.check(charReads('MH12DE14E3'), region('Vietnam')).ok).toBe(false));
});

describe('repair by position', () => {
  it.each([
    { region: 'Vietnam', read: reads('59XI12345'), want: '59X112345', note: 'digit slot reading I' },
    { region: 'Vietnam', read: reads('S9X112345'), want: '59X112345', note: 'digit slot reading S' },
    { region: 'Vietnam', read: reads('2958175902'), want: null, note: '10 characters: no Vietnamese format' },
    { region: 'Vietnam', read: reads('29817590'), want: '29B17590', note: 'letter slot reading 8' },
    { region: 'Brazil', read: reads('AYO90S4'), want: 'AYO9054', note: 'digit slot reading S (old format: 1 repair beats Mercosur: 2)' },
    { region: 'Brazil', read: reads('AYO9O34'), want: 'AYO9O34', note: 'AYO9O34 is a valid Mercosur plate: kept' },
    { region: 'Brazil', read: reads('0YO9034', { 0: 'O' }), want: 'OYO9034', note: 'letter slot 0, reader\'s second choice O' },
    { region: 'Brazil', read: reads('0YO9034', { 0: 'D' }), want: 'DYO9034', note: 'letter slot 0, reader\'s second choice D' },
    { region: 'Brazil', read: reads('0YO9034'), want: 'OYO9034', note: 'letter slot 0, no second choice: O' },
    { region: 'Indonesia', read: reads('H54980C', { 5: 'Q' }), want: 'H5498QC', note: 'letter slot 0, second choice Q' },
    { region: 'United Kingdom', read: reads('OYO9FEU'), want: 'OY09FEU', note: 'UK: digit slots 3-4' },
    { region: 'Italy', read: reads('PP5B7A0'), want: 'PP587AO', note: 'two repairs: B→8, 0→O' },
    { region: 'Italy', read: reads('PPSB7A0'), want: null, note: 'three repairs is over max_repairs 2' },
  ])('$region $note', ({ region: r, read, want }) => {
    const v = formats.check(read, region(r));
    if (want === null) expect(v.ok).toBe(false);
    else expect(v).toMatchObject({ ok: true, text: want });
  });
});

describe('which formats apply', () => {
  it('the shipped config keeps reads of regions it lists no formats for as read', () => {
    expect(new PlateFormats(shipped, null).check(charReads('VW4X4WP'), region('Germany'))).toMatchObject({ ok: true, text: 'VW4X4WP' });
  });
  it('other_regions all_formats: a region without formats is checked against every format', () => {
    expect(formats.check(charReads('59X112345'), region('Cambodia')).ok).toBe(true);
    expect(formats.check(charReads('QQQQQQQQQQQQ'), region('Cambodia'))).toEqual({ ok: false, reason: 'no_format_of_length' });
  });
  it('an unsure region is not trusted: every format applies', () => {
    expect(formats.check(charReads('AYO9034'), { name: 'Vietnam', confidence: 0.2 }).ok).toBe(true);
    expect(formats.check(charReads('AYO9034'), { name: 'Vietnam', confidence: 0.9 }).ok).toBe(false);
  });
  it('other_regions accept / reject', () => {
    const accept = new PlateFormats({ ...all, other_regions: 'accept' }, null);
    const reject = new PlateFormats({ ...all, other_regions: 'reject' }, null);
    expect(accept.check(charReads('Q1'), region('Cambodia'))).toMatchObject({ ok: true, text: 'Q1' });
    expect(reject.check(charReads('59X112345'), region('Cambodia'))).toEqual({ ok: false, reason: 'region_without_formats' });
  });
  it('no formats: every read is kept and nothing is counted', () => {
    const none = new PlateFormats({ ...all, formats: {} }, null);
    expect(none.check(charReads('ANYTHING1'), null)).toMatchObject({ ok: true, text: 'ANYTHING1' });
    expect(none.counts.checked).toBe(0);
  });
  it('counts kept, repaired and rejected reads by reason', () => {
    const f = new PlateFormats(all, null);
    f.check(charReads('59X112345'), region('Vietnam'));
    f.check(charReads('59XI12345'), region('Vietnam'));
    f.check(charReads('59X1123456789'), region('Vietnam'));
    f.check(charReads('5XX112345'), region('Vietnam'));
    expect(f.counts).toEqual({ checked: 4, kept: 1, repaired: 1, rejected: { no_format_of_length: 1, no_format_fits: 1, region_without_formats: 0 } });
  });
  it('fits answers as check would, without counting (the re-read choice asks it)', () => {
    const f = new PlateFormats(shipped, null);
    expect([f.fits(charReads('H5606CI'), region('Indonesia')), f.fits(charReads('59XX12345'), region('Vietnam')), f.fits(charReads('59XI12345'), region('Vietnam'))]).toEqual([true, false, true]);
    expect(f.counts.checked).toBe(0);
  });
  it('a format for a region the reader does not know is a config error naming it', () => {
    expect(() => new PlateFormats({ ...all, formats: { Vietnma: ['##@#{4,6}'] } }, ['Vietnam', 'Unknown'])).toThrow(/plates\.formats\.Vietnma/);
  });
  it('the fewest repairs win', () => {
    const v = checkFormats(charReads('AB123CD'), [...expandPattern('####@@@'), ...expandPattern('@@###@@')], 2);
    expect(v).toMatchObject({ ok: true, text: 'AB123CD', repaired: 0, pattern: '@@###@@' });
  });
});
