import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { createShutdown, exitCodeForSignal, type ShutdownProcess } from '../../src/operate/shutdown.js';

function fakeProcess() {
  const emitter = new EventEmitter();
  const exits: number[] = [];
  let onExit: (code: number) => void = () => undefined;
  const proc: ShutdownProcess = {
    on: (s, l) => emitter.on(s, l),
    off: (s, l) => emitter.off(s, l),
    exit: (code) => {
      exits.push(code);
      onExit(code);
    },
  };
  const exited = () => new Promise<number>((resolve) => (onExit = resolve));
  return { proc, exits, emit: (s: NodeJS.Signals) => emitter.emit(s), listeners: (s: NodeJS.Signals) => emitter.listenerCount(s), exited };
}

describe('shutdown', () => {
  it('on SIGTERM runs intake steps then release steps in registration order, then exits 0', async () => {
    const fake = fakeProcess();
    const order: string[] = [];
    const sd = createShutdown({ deadlineMs: 5_000, proc: fake.proc, onBegin: () => void order.push('STOPPING=1'), beforeExit: () => order.push('flush logs') });
    sd.register({ name: 'close sqlite', phase: 'release', run: () => void order.push('close sqlite') });
    sd.register({ name: 'stop capture', phase: 'intake', run: () => void order.push('stop capture') });
    sd.register({ name: 'finish frame', phase: 'intake', run: async () => { await Promise.resolve(); order.push('finish frame'); } });
    sd.register({ name: 'close tracks', phase: 'intake', run: () => void order.push('close tracks') });
    sd.register({ name: 'last flush', phase: 'intake', run: () => void order.push('last flush') });
    sd.register({ name: 'close mysql', phase: 'release', run: () => void order.push('close mysql') });
    sd.installSignalHandlers();
    const exited = fake.exited();
    expect(sd.signal.aborted).toBe(false);
    fake.emit('SIGTERM');
    expect(sd.signal.aborted).toBe(true);
    expect(await exited).toBe(0);
    expect(order).toEqual(['STOPPING=1', 'stop capture', 'finish frame', 'close tracks', 'last flush', 'close sqlite', 'close mysql', 'flush logs']);
  });

  it('abandons an intake step at the deadline, still runs the release steps, and exits 1', async () => {
    vi.useFakeTimers();
    try {
      const fake = fakeProcess();
      const order: string[] = [];
      let flushSignal: AbortSignal | undefined;
      const sd = createShutdown({ deadlineMs: 10_000, proc: fake.proc });
      sd.register({ name: 'last flush', phase: 'intake', run: (signal) => { flushSignal = signal; return new Promise<void>(() => undefined); } });
      sd.register({ name: 'close sqlite', phase: 'release', run: () => void order.push('close sqlite') });
      const done = sd.run('test');
      await vi.advanceTimersByTimeAsync(10_000);
      const result = await done;
      expect(flushSignal?.aborted).toBe(true);
      expect(result.exitCode).toBe(1);
      expect(result.steps.map((s) => `${s.name}:${s.outcome}`)).toEqual(['last flush:abandoned', 'close sqlite:done']);
      expect(order).toEqual(['close sqlite']);
    } finally {
      vi.useRealTimers();
    }
  });

  it('runs the next step after one throws and reports the failure', async () => {
    const sd = createShutdown({ deadlineMs: 5_000, proc: fakeProcess().proc });
    const ran: string[] = [];
    sd.register({ name: 'stop capture', phase: 'intake', run: () => { throw new Error('ffmpeg already gone'); } });
    sd.register({ name: 'close sqlite', phase: 'release', run: () => void ran.push('close sqlite') });
    const result = await sd.run('test');
    expect(ran).toEqual(['close sqlite']);
    expect(result.exitCode).toBe(1);
    expect(result.steps[0]).toMatchObject({ name: 'stop capture', outcome: 'failed', error: 'ffmpeg already gone' });
  });

  it('exits at once with 128+signal on a second signal', async () => {
    const fake = fakeProcess();
    const sd = createShutdown({ deadlineMs: 60_000, proc: fake.proc });
    let entered!: () => void;
    const inFlush = new Promise<void>((resolve) => (entered = resolve));
    sd.register({ name: 'last flush', phase: 'intake', run: (signal) => { entered(); return new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve())); } });
    sd.installSignalHandlers();
    fake.emit('SIGTERM');
    await inFlush;
    fake.emit('SIGINT');
    expect(fake.exits).toEqual([130]);
  });

  it('runs the reopen hooks on SIGHUP without shutting down', () => {
    const fake = fakeProcess();
    const sd = createShutdown({ deadlineMs: 1_000, proc: fake.proc });
    const reopen = vi.fn();
    sd.onReopen(reopen);
    const remove = sd.installSignalHandlers();
    fake.emit('SIGHUP');
    expect(reopen).toHaveBeenCalledTimes(1);
    expect(sd.started).toBe(false);
    remove();
    expect(fake.listeners('SIGTERM') + fake.listeners('SIGINT') + fake.listeners('SIGHUP')).toBe(0);
  });

  it('still exits with the shutdown result when the beforeExit hook throws (a log not yet open)', async () => {
    const fake = fakeProcess();
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const sd = createShutdown({ deadlineMs: 1_000, proc: fake.proc, beforeExit: () => { throw new Error('sonic boom is not ready yet'); } });
      sd.installSignalHandlers();
      const exited = fake.exited();
      fake.emit('SIGTERM');
      expect(await exited).toBe(0);
      expect(String(stderr.mock.calls[0]?.[0])).toMatch(/beforeExit hook failed: sonic boom is not ready yet/);
    } finally {
      stderr.mockRestore();
    }
  });

  it('refuses steps registered after shutdown began', async () => {
    const sd = createShutdown({ deadlineMs: 1_000, proc: fakeProcess().proc });
    await sd.run('test');
    expect(() => sd.register({ name: 'late', phase: 'release', run: () => undefined })).toThrow(/after shutdown began/);
  });

  it.each([['SIGTERM', 143], ['SIGINT', 130], ['SIGHUP', 129]] as const)('%s maps to exit code %i', (signal, code) => {
    expect(exitCodeForSignal(signal)).toBe(code);
  });
});
