// The page's static files (web/ in the package), read once at start-up and served from memory.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** web/ sits three levels above this module both in src/operate/ui and in dist/operate/ui. */
export const WEB_DIR = fileURLToPath(new URL('../../../web/', import.meta.url));

const FILES: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'login.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'draw.js': 'text/javascript; charset=utf-8',
  'scan.js': 'text/javascript; charset=utf-8',
  'style.css': 'text/css; charset=utf-8',
};

export interface Asset {
  type: string;
  body: Buffer;
}

export function loadAssets(dir = WEB_DIR): Map<string, Asset> {
  const out = new Map<string, Asset>();
  for (const [name, type] of Object.entries(FILES)) out.set(name, { type, body: readFileSync(join(dir, name)) });
  return out;
}
