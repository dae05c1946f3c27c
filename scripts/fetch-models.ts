// Places the default models under a models directory and checks their sha256 against
// models/manifest.json. Downloads only where the internet is reachable and the manifest
// names a public url; otherwise it says what is missing and where to get it.
//
//   npx tsx scripts/fetch-models.ts [--dir DIR] [--verify]
//   DIR defaults to $ROADSIDE_MODELS_DIR, else /var/lib/roadside-agent/models.
import { mkdirSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { resolveModelPath } from '../src/config/model-files.js';
import { readManifest, sha256File } from '../src/shared/model-manifest.js';

const { values } = parseArgs({ options: { dir: { type: 'string' }, verify: { type: 'boolean', default: false } } });
const dir = values.dir ?? process.env.ROADSIDE_MODELS_DIR ?? '/var/lib/roadside-agent/models';
let failures = 0;

for (const m of readManifest()) {
  const file = resolveModelPath(dir, m.path);
  if (!existsSync(file) && !values.verify && m.url) {
    try {
      console.log(`fetch  ${m.path} from ${m.url}`);
      const res = await fetch(m.url, { signal: AbortSignal.timeout(120_000) });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(`${file}.part`, Buffer.from(await res.arrayBuffer()));
      renameSync(`${file}.part`, file);
    } catch (err) {
      console.error(`FAIL   ${m.path}: download failed (${(err as Error).message}); get it from ${m.upstream}`);
      failures++;
      continue;
    }
  }
  if (!existsSync(file)) {
    console.error(`MISS   ${m.path}: not at ${file}; get it from ${m.upstream}${m.url ? ` (${m.url})` : ''}`);
    failures++;
    continue;
  }
  const sum = await sha256File(file);
  if (sum !== m.sha256) {
    console.error(`FAIL   ${m.path}: sha256 ${sum} does not match the manifest's ${m.sha256}`);
    failures++;
  } else {
    console.log(`ok     ${m.path} (${m.role}) sha256 ${sum.slice(0, 12)}…`);
  }
}
console.log(failures === 0 ? `all models present and verified in ${join(dir)}` : `${failures} model(s) missing or wrong`);
process.exitCode = failures === 0 ? 0 : 1;
