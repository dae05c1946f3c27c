// The operate modules in a real process: signals, sd_notify datagrams from another process,
// SQLite left clean after both a graceful and an abrupt stop, the log file reopened on SIGHUP.
import Database from 'better-sqlite3';
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { createSocket, type UnixDgramSocket } from 'unix-dgram';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/env.js';

const fixture = join(repoRoot, 'test/fixtures/operate-shutdown-child.ts');

interface Child {
  proc: ChildProcessByStdio<null, Readable, Readable>;
  lines: string[];
  stderr: () => string;
  /** Resolves when a stdout line satisfies the predicate (bounded by the test timeout). */
  waitFor(pred: (line: string) => boolean): Promise<string>;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startChild(dir: string, mode: 'quick' | 'slow', env: NodeJS.ProcessEnv = {}): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', fixture, dir, mode], {
    cwd: repoRoot,
    env: { ...process.env, NOTIFY_SOCKET: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const waiters: Array<() => void> = [];
  let buf = '';
  let err = '';
  proc.stdout.on('data', (d: Buffer) => {
    buf += d.toString();
    const parts = buf.split('\n');
    buf = parts.pop() ?? '';
    lines.push(...parts);
    waiters.splice(0).forEach((w) => w());
  });
  proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    proc.on('close', (code, signal) => {
      waiters.splice(0).forEach((w) => w());
      resolve({ code, signal });
    });
  });
  const waitFor = async (pred: (line: string) => boolean): Promise<string> => {
    for (;;) {
      const hit = lines.find(pred);
      if (hit !== undefined) return hit;
      if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`child exited before the expected line; stderr:\n${err}`);
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };
  return { proc, lines, stderr: () => err, waitFor, exit };
}

const lastCommitted = (lines: string[]) => Math.max(0, ...lines.filter((l) => l.startsWith('committed:')).map((l) => Number(l.slice(10))));

function checkQueue(file: string): { integrity: string; rows: number } {
  const db = new Database(file, { readonly: false });
  try {
    const integrity = db.pragma('integrity_check', { simple: true }) as string;
    const rows = (db.prepare('SELECT count(*) AS n FROM outbox').get() as { n: number }).n;
    return { integrity, rows };
  } finally {
    db.close();
  }
}

describe('operate: shutdown of a real process', () => {
  let dir: string;
  let children: Child[];
  let notifySocket: UnixDgramSocket | null;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rsa-shutdown-'));
    children = [];
    notifySocket = null;
  });
  afterEach(() => {
    for (const c of children) if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGKILL');
    notifySocket?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('on SIGTERM runs every step in order, sends READY and STOPPING, leaves SQLite whole and exits 0', async () => {
    const datagrams: string[] = [];
    notifySocket = createSocket('unix_dgram', (msg) => datagrams.push(msg.toString()));
    notifySocket.bind(join(dir, 'notify'));
    const child = startChild(dir, 'quick', { NOTIFY_SOCKET: join(dir, 'notify') });
    children.push(child);
    await child.waitFor((l) => l === 'ready');
    await child.waitFor((l) => l.startsWith('committed:'));
    child.proc.kill('SIGTERM');
    const { code } = await child.exit;
    expect(code, child.stderr()).toBe(0);
    expect(child.lines.filter((l) => l.startsWith('step:'))).toEqual([
      'step:stop-capture',
      'step:finish-frame',
      'step:close-tracks',
      'step:last-flush',
      'step:close-sqlite',
      'step:close-notify',
    ]);
    // The datagrams were sent before the child exited; let our socket read them.
    while (datagrams.length < 2) await new Promise((r) => setTimeout(r, 10));
    expect(datagrams).toEqual(['READY=1\nSTATUS=fixture up', 'STOPPING=1']);
    expect(checkQueue(join(dir, 'queue.sqlite'))).toEqual({ integrity: 'ok', rows: lastCommitted(child.lines) });
    const log = readFileSync(join(dir, 'agent.log'), 'utf8');
    expect(log).toMatch(/"msg":"shutdown complete"/);
  });

  it('a second signal during the last flush exits at once with 130, and every committed row is still there', async () => {
    const child = startChild(dir, 'slow');
    children.push(child);
    await child.waitFor((l) => l === 'ready');
    child.proc.kill('SIGTERM');
    await child.waitFor((l) => l === 'step:last-flush');
    const inFlush = child.lines.length;
    await child.waitFor((l) => l.startsWith('committed:') && child.lines.indexOf(l) > inFlush);
    child.proc.kill('SIGINT');
    const { code } = await child.exit;
    expect(code, child.stderr()).toBe(130);
    expect(child.lines).not.toContain('step:close-sqlite');
    const { integrity, rows } = checkQueue(join(dir, 'queue.sqlite'));
    expect(integrity).toBe('ok');
    expect(rows).toBeGreaterThanOrEqual(lastCommitted(child.lines));
  });

  it('reopens the log file on SIGHUP after logrotate moved it', async () => {
    const child = startChild(dir, 'quick');
    children.push(child);
    await child.waitFor((l) => l === 'ready');
    const logFile = join(dir, 'agent.log');
    // `ready` comes once "fixture started" is in the file.
    expect(readFileSync(logFile, 'utf8')).toMatch(/fixture started/);
    renameSync(logFile, `${logFile}.1`);
    child.proc.kill('SIGHUP');
    while (!existsSync(logFile) || !readFileSync(logFile, 'utf8').includes('log file reopened')) await new Promise((r) => setTimeout(r, 20));
    expect(readFileSync(`${logFile}.1`, 'utf8')).not.toMatch(/log file reopened/);
    child.proc.kill('SIGTERM');
    expect((await child.exit).code).toBe(0);
  });
});
