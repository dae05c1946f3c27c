import { afterEach, describe, expect, it, vi } from 'vitest';
import { createHeartbeats } from '../../src/operate/heartbeats.js';
import { createWatchdog, livenessCheck, watchdogIntervalMs, type LivenessResult } from '../../src/operate/watchdog.js';

describe('watchdogIntervalMs', () => {
  it.each([
    [{}, 123, null],
    [{ WATCHDOG_USEC: '30000000' }, 123, 30_000],
    [{ WATCHDOG_USEC: '30000000', WATCHDOG_PID: '123' }, 123, 30_000],
    [{ WATCHDOG_USEC: '30000000', WATCHDOG_PID: '999' }, 123, null],
    [{ WATCHDOG_USEC: 'abc' }, 123, null],
    [{ WATCHDOG_USEC: '0' }, 123, null],
  ])('%j for pid %i gives %j', (env, pid, expected) => {
    expect(watchdogIntervalMs(env as NodeJS.ProcessEnv, pid)).toBe(expected);
  });
});

describe('heartbeats', () => {
  it('reports a loop stalled once it is silent longer than its bound, and alive again after a beat', () => {
    let now = 1_000;
    const hb = createHeartbeats({ clock: { now: () => now } });
    hb.register('detect', 10_000);
    hb.register('flush', 60_000);
    now += 10_001;
    expect(hb.stalled().map((l) => l.name)).toEqual(['detect']);
    hb.beat('detect');
    expect(hb.stalled()).toEqual([]);
    hb.unregister('flush');
    now += 100_000;
    expect(hb.stalled().map((l) => l.name)).toEqual(['detect']);
  });

  it('refuses a non-positive bound', () => {
    expect(() => createHeartbeats().register('x', 0)).toThrow(/maxSilenceMs/);
  });
});

describe('livenessCheck', () => {
  it('fails on event loop lag above the bound, then on a stalled loop, and passes otherwise', () => {
    let now = 0;
    const hb = createHeartbeats({ clock: { now: () => now } });
    hb.register('detect', 5_000);
    let lag = 0;
    const check = livenessCheck({ heartbeats: hb, lag: { sampleMaxMs: () => lag, stop: () => undefined }, maxEventLoopLagMs: 1_000 });
    expect(check()).toEqual({ ok: true });
    lag = 1_500;
    expect(check()).toMatchObject({ ok: false, reason: expect.stringMatching(/event loop blocked for 1500 ms/) });
    lag = 0;
    now = 6_000;
    expect(check()).toMatchObject({ ok: false, reason: expect.stringMatching(/loop stalled: detect/) });
  });
});

describe('createWatchdog', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('pings only while the liveness check passes', async () => {
    let result: LivenessResult = { ok: true };
    const ping = vi.fn(() => Promise.resolve());
    const wd = createWatchdog({ ping, check: () => result, intervalMs: 30_000 });
    expect(await wd.tick()).toBe(true);
    result = { ok: false, reason: 'loop stalled: detect' };
    expect(await wd.tick()).toBe(false);
    expect(await wd.tick()).toBe(false);
    result = { ok: true };
    expect(await wd.tick()).toBe(true);
    expect(ping).toHaveBeenCalledTimes(2);
  });

  it('treats a throwing check as a failure', async () => {
    const ping = vi.fn(() => Promise.resolve());
    const wd = createWatchdog({ ping, check: () => { throw new Error('boom'); }, intervalMs: 1_000 });
    expect(await wd.tick()).toBe(false);
    expect(ping).not.toHaveBeenCalled();
  });

  it('ticks at half the systemd interval until stopped', async () => {
    vi.useFakeTimers();
    const ping = vi.fn(() => Promise.resolve());
    const wd = createWatchdog({ ping, check: () => ({ ok: true }), intervalMs: 30_000 });
    wd.start();
    await vi.advanceTimersByTimeAsync(15_000 * 3);
    expect(ping).toHaveBeenCalledTimes(3);
    wd.stop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(ping).toHaveBeenCalledTimes(3);
  });
});
