import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { Queue } from '../../src/queue/queue.js';
import { silentLogger } from '../../src/shared/logger.js';
import { repoRoot } from '../helpers/env.js';
import { makeViolations } from './make-violation.js';

let dir: string;
let configFile: string;

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l), env: {} }, out, err };
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rsa-qcli-'));
  const config = JSON.parse(readFileSync(join(repoRoot, 'config.json'), 'utf8'));
  config.queue.state_dir = join(dir, 'state');
  config.operate.log_file = null;
  configFile = join(dir, 'cam.json');
  writeFileSync(configFile, JSON.stringify(config));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('roadside-agent queue', () => {
  it('says there is nothing queued when the file does not exist yet', async () => {
    const c = io();
    expect(await main(['node', 'x', 'queue', 'stats', '--config', configFile], c.io)).toBe(0);
    expect(c.out.join('\n')).toMatch(/no queue file at .*demo-cam\.sqlite/);
  });

  it('shows stats, pending and dead letters, and moves dead letters back', async () => {
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(dir, 'state'));
    const q = Queue.open({ file: join(dir, 'state', 'demo-cam.sqlite'), maxBytes: 1e9, logger: silentLogger(), reserveBytes: 0 });
    const vs = makeViolations(3);
    for (const v of vs) q.enqueue(v);
    q.reject(vs[1]!.id, 'ER_DATA_TOO_LONG: Data too long for column camera_location');
    q.close();

    let c = io();
    expect(await main(['node', 'x', 'queue', 'stats', '--config', configFile, '--json'], c.io)).toBe(0);
    expect(JSON.parse(c.out[0]!)).toMatchObject({ pending: 2, dead: 1 });

    c = io();
    expect(await main(['node', 'x', 'queue', 'stats', '--config', configFile], c.io)).toBe(0);
    expect(c.out.join('\n')).toMatch(/pending\s+2 \(2 due now\)[\s\S]*dead letters\s+1/);

    c = io();
    await main(['node', 'x', 'queue', 'list', '--config', configFile], c.io);
    expect(c.out.join('\n')).toContain(vs[0]!.id);
    expect(c.out.join('\n')).not.toContain(vs[1]!.id);

    c = io();
    await main(['node', 'x', 'queue', 'dead', '--config', configFile], c.io);
    expect(c.out.join('\n')).toMatch(new RegExp(`${vs[1]!.id}.*reason=ER_DATA_TOO_LONG`));

    c = io();
    expect(await main(['node', 'x', 'queue', 'retry-dead', '--config', configFile, '--json'], c.io)).toBe(0);
    expect(JSON.parse(c.out[0]!)).toEqual({ moved: 1 });

    c = io();
    await main(['node', 'x', 'queue', 'stats', '--config', configFile, '--json'], c.io);
    expect(JSON.parse(c.out[0]!)).toMatchObject({ pending: 3, dead: 0 });
  });

  it('exits 78 on a bad config', async () => {
    writeFileSync(configFile, '{"camera": 1}');
    const c = io();
    expect(await main(['node', 'x', 'queue', 'stats', '--config', configFile], c.io)).toBe(78);
  });
});
