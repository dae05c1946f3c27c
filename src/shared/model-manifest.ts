import { createHash } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';

export interface ManifestEntry {
  role: string;
  path: string;
  what: string;
  licence: string;
  upstream: string;
  url: string | null;
  sha256: string;
  bytes: number | null;
}

export function readManifest(file: string | URL = new URL('../../models/manifest.json', import.meta.url)): ManifestEntry[] {
  return (JSON.parse(readFileSync(file, 'utf8')) as { models: ManifestEntry[] }).models;
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
