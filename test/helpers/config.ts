// Tiny inline configs per test case, built from the example config.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './env.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- test cases reach into any field
export type RawConfig = Record<string, any>;

/** A deep copy of the example config.json, to change per case. */
export function exampleConfig(): RawConfig {
  return JSON.parse(readFileSync(join(repoRoot, 'config.json'), 'utf8')) as RawConfig;
}

/** Writes a config into a fresh temp dir and returns its path. */
export function writeConfig(raw: unknown, name = 'camera.json'): string {
  const dir = mkdtempSync(join(tmpdir(), 'rsa-config-'));
  const file = join(dir, name);
  writeFileSync(file, typeof raw === 'string' ? raw : JSON.stringify(raw, null, 2));
  return file;
}
