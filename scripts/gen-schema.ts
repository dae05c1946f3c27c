// Writes config.schema.json (for editors) and docs/config.md (the config reference) from the
// zod schema, so neither can drift from the code. `npm run schema`; a test fails when stale.
import { writeFileSync, mkdirSync } from 'node:fs';
import { configJsonSchema } from '../src/config/schema.js';
import { renderConfigReference } from '../src/config/reference.js';

const root = new URL('..', import.meta.url).pathname;
writeFileSync(`${root}config.schema.json`, JSON.stringify(configJsonSchema(), null, 2) + '\n');
mkdirSync(`${root}docs`, { recursive: true });
writeFileSync(`${root}docs/config.md`, renderConfigReference());
console.log('wrote config.schema.json and docs/config.md');
