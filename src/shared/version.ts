import { readFileSync } from 'node:fs';

/** The agent's version, from package.json (read once, at first use). */
let cached: string | undefined;
export function agentVersion(): string {
  if (cached === undefined) {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    cached = pkg.version;
  }
  return cached;
}
