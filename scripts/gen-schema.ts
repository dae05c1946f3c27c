// Writes the documents generated from code, so none can drift from it (`npm run schema`; a
// test fails when one is stale): config.schema.json (for editors), docs/config.md (the config
// reference) and the error-code table in README.md.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { renderConfigReference } from '../src/config/reference.js';
import { configJsonSchema } from '../src/config/schema.js';
import { ERROR_CODES } from '../src/shared/errors.js';

const root = new URL('..', import.meta.url).pathname;
writeFileSync(`${root}config.schema.json`, JSON.stringify(configJsonSchema(), null, 2) + '\n');
mkdirSync(`${root}docs`, { recursive: true });
writeFileSync(`${root}docs/config.md`, renderConfigReference());

const START = '<!-- error-codes:start -->';
const END = '<!-- error-codes:end -->';
const readme = readFileSync(`${root}README.md`, 'utf8');
const [before, rest] = readme.split(START);
const after = rest?.split(END)[1];
if (before === undefined || after === undefined) throw new Error(`README.md lacks the ${START} … ${END} markers`);
const table = ['| code | meaning |', '|---|---|', ...Object.entries(ERROR_CODES).map(([code, meaning]) => `| \`${code}\` | ${meaning} |`)];
writeFileSync(`${root}README.md`, `${before}${START}\n${table.join('\n')}\n${END}${after}`);
console.log('wrote config.schema.json, docs/config.md and the error codes in README.md');
