import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { EXIT } from '../../src/shared/exit-codes.js';

describe('roadside-agent logs', () => {
  let dir: string;
  let out: string[];
  let err: string[];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rsa-logs-cmd-'));
    out = [];
    err = [];
    const lines = [
      { level: 'info', time: '2025-01-01T10:00:00.000Z', stage: 'capture', msg: 'ffmpeg started' },
      { level: 'warn', time: '2025-01-01T10:00:01.000Z', stage: 'flush', msg: 'MySQL unreachable', attempt: 3 },
      { level: 'error', time: '2025-01-01T10:00:02.000Z', stage: 'capture', msg: 'camera stalled' },
    ];
    writeFileSync(join(dir, 'cam-1.log'), lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const run = (args: string[]) => main(['node', 'roadside-agent', 'logs', ...args], { out: (l) => out.push(l), err: (l) => err.push(l), env: { LOGS_DIRECTORY: dir } });

  it('resolves the camera id in $LOGS_DIRECTORY and filters by level and stage', async () => {
    expect(await run(['cam-1', '--level', 'warn', '--stage', 'capture'])).toBe(EXIT.OK);
    expect(out).toEqual(['2025-01-01T10:00:02.000Z ERROR [capture] camera stalled']);
  });

  it('says which file is missing', async () => {
    expect(await run(['cam-2'])).toBe(EXIT.FAILURE);
    expect(err.join('\n')).toMatch(new RegExp(`no log file ${join(dir, 'cam-2.log')}`));
  });

  it('rejects a bad --level as a usage error', async () => {
    expect(await run(['cam-1', '--level', 'loud'])).toBe(EXIT.USAGE);
    expect(err.join('\n')).toMatch(/--level/);
  });
});
