// The plate labels the eval corrects (scripts/eval/plate-errata.ts): the lookup, and, where the
// media are present, that each listed label is in the set as written and its correction reads
// as a plate of the same length (a swap or a look-alike, not another plate).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openalpr } from '../../scripts/eval-plates-run.js';
import { correctedPlate, PLATE_ERRATA } from '../../scripts/eval/plate-errata.js';
import { mediaDir } from '../helpers/env.js';

describe('correctedPlate', () => {
  it.each([
    { file: '/any/media/openalpr/eu/eu5.jpg', label: 'OYO9FEU', want: 'OY09FEU' },
    { file: 'openalpr/br/FZB9581.jpg', label: 'FZB9581', want: 'FBZ9581' },
    // another label of the same image, or the same name in another folder, is not corrected
    { file: '/any/media/openalpr/eu/eu5.jpg', label: 'OY09FEU', want: null },
    { file: '/any/media/openalpr/us/eu5.jpg', label: 'OYO9FEU', want: null },
    { file: '/any/media/openalpr/eu/xeu5.jpg', label: 'OYO9FEU', want: null },
  ])('$file $label → $want', ({ file, label, want }) => {
    expect(correctedPlate(file, label)).toBe(want);
  });
});

const present = existsSync(join(mediaDir, 'openalpr'));
if (!present) console.warn(`SKIPPED: plate errata against the media: ${join(mediaDir, 'openalpr')} not found`);

describe.skipIf(!present)('the listed label errors, against the media', () => {
  it.each(PLATE_ERRATA.map((e) => [e.file, e] as const))('%s', (_, e) => {
    const image = join(mediaDir, e.file);
    expect(existsSync(image), image).toBe(true);
    // the labels as the eval reads them (openalpr/<region>/*.txt, normalised)
    const texts = openalpr(mediaDir, e.file.split('/')[1]!).filter((g) => g.file === image).map((g) => g.text);
    expect(texts).toContain(e.label);
    expect(e.plate).not.toBe(e.label);
    expect(e.plate).toHaveLength(e.label.length);
  });
});
