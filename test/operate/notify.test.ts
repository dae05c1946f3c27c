import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSocket, type UnixDgramSocket } from 'unix-dgram';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createNotifier, formatNotifyMessage, parseNotifySocket } from '../../src/operate/notify.js';

describe('parseNotifySocket', () => {
  it.each([
    [{}, null],
    [{ NOTIFY_SOCKET: '' }, null],
    [{ NOTIFY_SOCKET: '/run/systemd/notify' }, { kind: 'path', path: '/run/systemd/notify' }],
    [{ NOTIFY_SOCKET: '@/org/freedesktop/systemd1/notify' }, { kind: 'abstract', name: '/org/freedesktop/systemd1/notify' }],
    [{ NOTIFY_SOCKET: 'vsock:2:1234' }, null],
  ])('%j gives %j', (env, expected) => {
    expect(parseNotifySocket(env as NodeJS.ProcessEnv)).toEqual(expected);
  });
});

describe('formatNotifyMessage', () => {
  it('writes KEY=value lines and keeps newlines out of values', () => {
    expect(formatNotifyMessage({ READY: 1, STATUS: 'camera up\nqueue 3' })).toBe('READY=1\nSTATUS=camera up queue 3');
  });
});

describe('createNotifier without systemd', () => {
  it('is a no-op when NOTIFY_SOCKET is unset', async () => {
    const n = createNotifier({ env: {} });
    expect(n.enabled).toBe(false);
    expect(n.reason).toMatch(/not set/);
    await expect(n.ready()).resolves.toBeUndefined();
    await expect(n.watchdog()).resolves.toBeUndefined();
    n.close();
  });

  it('refuses an abstract socket that unix-dgram cannot address, saying why', () => {
    const n = createNotifier({ env: { NOTIFY_SOCKET: '@roadside-test' } });
    expect(n.enabled).toBe(false);
    expect(n.reason).toMatch(/abstract NOTIFY_SOCKET @roadside-test/);
  });
});

describe('createNotifier over a Unix datagram socket', () => {
  let dir: string;
  let server: UnixDgramSocket;
  let received: string[];
  let waiters: Array<() => void>;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rsa-notify-'));
    received = [];
    waiters = [];
    server = createSocket('unix_dgram', (msg) => {
      received.push(msg.toString('utf8'));
      waiters.splice(0).forEach((w) => w());
    });
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', reject);
      server.bind(join(dir, 'notify'));
    });
  });

  afterEach(() => {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const until = async (count: number) => {
    while (received.length < count) await new Promise<void>((resolve) => waiters.push(resolve));
  };

  it('delivers READY=1, STATUS, WATCHDOG=1, EXTEND_TIMEOUT_USEC and STOPPING=1 datagrams', async () => {
    const n = createNotifier({ env: { NOTIFY_SOCKET: join(dir, 'notify') } });
    expect(n.enabled).toBe(true);
    await n.ready('pipeline up');
    await n.watchdog();
    await n.extendTimeout(2500);
    await n.stopping();
    await until(4);
    n.close();
    expect(received).toEqual(['READY=1\nSTATUS=pipeline up', 'WATCHDOG=1', 'EXTEND_TIMEOUT_USEC=2500000', 'STOPPING=1']);
  });

  it('does not throw when the socket has gone away', async () => {
    const n = createNotifier({ env: { NOTIFY_SOCKET: join(dir, 'missing') } });
    await expect(n.watchdog()).resolves.toBeUndefined();
    n.close();
  });
});
