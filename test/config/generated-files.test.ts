import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderConfigReference } from '../../src/config/reference.js';
import { configJsonSchema } from '../../src/config/schema.js';
import { repoRoot } from '../helpers/env.js';

describe('generated config documents', () => {
  it('config.schema.json matches the schema in code (run `npm run schema` after changing it)', () => {
    const onDisk = JSON.parse(readFileSync(join(repoRoot, 'config.schema.json'), 'utf8'));
    expect(onDisk).toEqual(configJsonSchema());
  });

  it('docs/config.md matches the schema in code (run `npm run schema` after changing it)', () => {
    expect(readFileSync(join(repoRoot, 'docs/config.md'), 'utf8')).toBe(renderConfigReference());
  });
});
