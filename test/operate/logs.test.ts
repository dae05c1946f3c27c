import { appendFileSync, mkdtempSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatLine, matches, parseLevel, parseSince, resolveLogFile, tailLog } from '../../src/operate/logs.js';

const line = (o: Record<string, unknown>) => JSON.stringify({ pid: 42, camera: 'cam-1', ...o });

describe('formatLine', () => {
  it.each([
    [
      'time, level, stage, msg, then the other fields compact',
      line({ level: 'info', time: '2025-01-01T10:00:00.000Z', stage: 'capture', msg: 'ffmpeg started', args: 14, url: 'rtsp://cam/stream 1' }),
      '2025-01-01T10:00:00.000Z INFO  [capture] ffmpeg started args=14 url="rtsp://cam/stream 1"',
    ],
    [
      'numeric pino level and epoch time',
      JSON.stringify({ level: 40, time: Date.parse('2025-01-01T10:00:00Z'), msg: 'slow', box: { w: 3 } }),
      '2025-01-01T10:00:00.000Z WARN  slow box={"w":3}',
    ],
    [
      'an error with its stack indented below',
      line({ level: 'error', time: '2025-01-01T10:00:00.000Z', stage: 'flush', msg: 'batch failed', err: { type: 'Error', message: 'ECONNREFUSED', stack: 'Error: ECONNREFUSED\n    at connect (net.js:1:1)' } }),
      '2025-01-01T10:00:00.000Z ERROR [flush] batch failed err="Error: ECONNREFUSED"\n    at connect (net.js:1:1)',
    ],
    ['a line that is not JSON stays as it is', 'ffmpeg version 6.1', 'ffmpeg version 6.1'],
  ])('%s', (_name, input, expected) => {
    expect(formatLine(input)).toBe(expected);
  });
});

describe('matches', () => {
  const info = line({ level: 'info', time: '2025-01-01T10:00:00.000Z', stage: 'capture', msg: 'a' });
  const error = line({ level: 'error', time: '2025-01-01T11:00:00.000Z', stage: 'flush', msg: 'b' });
  it.each([
    [info, {}, true],
    [info, { minLevel: 'warn' as const }, false],
    [error, { minLevel: 'warn' as const }, true],
    [info, { stage: 'capture' }, true],
    [error, { stage: 'capture' }, false],
    [info, { since: Date.parse('2025-01-01T10:30:00Z') }, false],
    [error, { since: Date.parse('2025-01-01T10:30:00Z') }, true],
    ['not json', {}, true],
    ['not json', { stage: 'capture' }, false],
  ])('%s with %j → %s', (input, filter, expected) => {
    expect(matches(input, filter)).toBe(expected);
  });
});

describe('argument parsing', () => {
  const now = Date.parse('2025-01-01T12:00:00Z');
  it.each([
    ['15m', now - 15 * 60_000],
    ['2h', now - 2 * 3_600_000],
    ['90s', now - 90_000],
    ['1d', now - 86_400_000],
    ['2025-01-01T10:00:00Z', Date.parse('2025-01-01T10:00:00Z')],
  ])('--since %s', (text, expected) => {
    expect(parseSince(text, now)).toBe(expected);
  });
  it('names the option in its errors', () => {
    expect(() => parseSince('yesterday-ish', now)).toThrow(/--since/);
    expect(() => parseLevel('loud')).toThrow(/--level: expected one of trace, debug, info, warn, error, fatal/);
    expect(parseLevel('WARN')).toBe('warn');
  });
  it.each([
    ['cam-1', { LOGS_DIRECTORY: '/var/log/roadside-agent:/other' }, '/var/log/roadside-agent/cam-1.log'],
    ['cam-1', {}, '/var/log/roadside-agent/cam-1.log'],
    ['/tmp/x.log', {}, '/tmp/x.log'],
    ['logs/cam.log', {}, '/srv/logs/cam.log'],
  ])('camera %s with %j is %s', (camera, env, expected) => {
    expect(resolveLogFile(camera, env, '/srv')).toBe(expected);
  });
});

describe('tailLog', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rsa-logs-'));
    file = join(dir, 'cam-1.log');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const entry = (msg: string, level = 'info') => line({ level, time: '2025-01-01T10:00:00.000Z', stage: 'capture', msg }) + '\n';

  it('prints the filtered file, or only its last N matching entries', async () => {
    writeFileSync(file, entry('one') + entry('two', 'warn') + entry('three') + entry('four', 'error'));
    const all: string[] = [];
    await tailLog({ file, follow: false, filter: { minLevel: 'warn' }, out: (t) => all.push(t) });
    expect(all.map((t) => t.split(' ').at(-1))).toEqual(['two', 'four']);
    const last: string[] = [];
    await tailLog({ file, follow: false, filter: {}, lines: 2, out: (t) => last.push(t) });
    expect(last.map((t) => t.split(' ').at(-1))).toEqual(['three', 'four']);
  });

  it('throws ENOENT for a missing file when not following', async () => {
    await expect(tailLog({ file: join(dir, 'none.log'), follow: false, filter: {}, out: () => undefined })).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('follows across logrotate: rename + new file, then copytruncate', async () => {
    writeFileSync(file, entry('before'));
    const seen: string[] = [];
    const controller = new AbortController();
    // Each action runs after one poll of the follower, so the test does not depend on timing.
    const actions: Array<() => void> = [
      () => appendFileSync(file, entry('appended')),
      () => {
        appendFileSync(file, entry('last in old file'));
        renameSync(file, `${file}.1`);
        writeFileSync(file, entry('first in new file'));
      },
      () => appendFileSync(file, entry('second in new file')),
      () => {
        truncateSync(file, 0);
        appendFileSync(file, entry('after truncate'));
      },
      () => controller.abort(),
    ];
    await tailLog({
      file,
      follow: true,
      filter: {},
      pollMs: 5,
      signal: controller.signal,
      out: (t) => seen.push(t.replace(/^\S+ INFO {2}\[capture\] /, '')),
      onPoll: () => actions.shift()?.(),
    });
    expect(seen).toEqual(['before', 'appended', 'last in old file', 'first in new file', 'second in new file', 'after truncate']);
  });

  it('waits for the file to appear in follow mode', async () => {
    const seen: string[] = [];
    const controller = new AbortController();
    const actions: Array<() => void> = [() => writeFileSync(file, entry('hello')), () => undefined, () => controller.abort()];
    await tailLog({ file, follow: true, filter: {}, pollMs: 5, signal: controller.signal, out: (t) => seen.push(t), onPoll: () => actions.shift()?.() });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatch(/hello$/);
  });
});
