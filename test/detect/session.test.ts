import { describe, expect, it } from 'vitest';
import { openSessions, type ModelSession, type SessionFactory, type SessionSettings } from '../../src/detect/session.js';
import { isAgentError } from '../../src/shared/errors.js';
import pino from 'pino';

function fakeSession(file: string): ModelSession & { released: boolean; file: string } {
  return {
    file,
    released: false,
    inputNames: ['in'],
    outputNames: ['out'],
    run: () => Promise.resolve({}),
    release() {
      this.released = true;
      return Promise.resolve();
    },
  };
}

/** A factory whose GPU providers fail like onnxruntime-node's does without the CUDA library. */
function factory(gpuWorks: boolean) {
  const calls: Array<{ file: string; providers: unknown }> = [];
  const made: Array<ReturnType<typeof fakeSession>> = [];
  const f: SessionFactory = (file, options) => {
    calls.push({ file, providers: options.executionProviders });
    const first = options.executionProviders?.[0];
    if (first !== 'cpu' && !gpuWorks && file === 'b.onnx') {
      return Promise.reject(new Error('OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library'));
    }
    const s = fakeSession(file);
    made.push(s);
    return Promise.resolve(s);
  };
  return { f, calls, made };
}

/** A logger that records its lines. */
function recordingLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'trace' }, { write: (s: string) => lines.push(JSON.parse(s) as Record<string, unknown>) });
  return { logger, lines };
}

const settings = (over: Partial<SessionSettings> = {}): SessionSettings => ({ provider: 'cpu', requireGpu: false, intraOpThreads: 1, allowSpinning: false, ...over });
const files = { a: 'a.onnx', b: 'b.onnx' };

describe('openSessions', () => {
  it('opens every model on the CPU with one intra-op thread and no spinning by default', async () => {
    const { f, calls } = factory(true);
    const { logger } = recordingLogger();
    const out = await openSessions(files, settings(), logger, f);
    expect(out.provider).toBe('cpu');
    expect(out.fallbackReason).toBeNull();
    expect(calls.map((c) => c.providers)).toEqual([['cpu'], ['cpu']]);
  });

  it('uses the GPU provider when every session opens on it', async () => {
    const { f, calls } = factory(true);
    const out = await openSessions(files, settings({ provider: 'cuda' }), recordingLogger().logger, f);
    expect(out.provider).toBe('cuda');
    expect(calls[0]!.providers).toEqual(['cuda', 'cpu']);
  });

  it('falls back to the CPU for all models with a WARN naming the reason when the GPU fails', async () => {
    const { f, calls, made } = factory(false);
    const { logger, lines } = recordingLogger();
    const out = await openSessions(files, settings({ provider: 'cuda' }), logger, f);
    expect(out.provider).toBe('cpu');
    expect(out.fallbackReason).toMatch(/cuda execution provider unavailable: b\.onnx: .*Failed to load shared library/);
    const warn = lines.find((l) => l.level === 40);
    expect(warn?.msg).toMatch(/falling back to the CPU: cuda/);
    expect(warn?.requested).toBe('cuda');
    // the session already opened on the GPU is released, then both reopen on the CPU
    expect(made[0]!.released).toBe(true);
    expect(calls.slice(-2).map((c) => c.providers)).toEqual([['cpu'], ['cpu']]);
  });

  it('refuses with RSA_PROVIDER_UNAVAILABLE when the GPU is required', async () => {
    const { f } = factory(false);
    const err = await openSessions(files, settings({ provider: 'webgpu', requireGpu: true }), recordingLogger().logger, f).catch((e: unknown) => e);
    expect(isAgentError(err, 'RSA_PROVIDER_UNAVAILABLE')).toBe(true);
    expect((err as Error).message).toMatch(/webgpu .*require_gpu/);
  });

  it('reports RSA_MODEL_LOAD naming the file when a model does not load on the CPU either', async () => {
    const f: SessionFactory = (file) => (file === 'b.onnx' ? Promise.reject(new Error('protobuf parsing failed')) : Promise.resolve(fakeSession(file)));
    const err = await openSessions(files, settings(), recordingLogger().logger, f).catch((e: unknown) => e);
    expect(isAgentError(err, 'RSA_MODEL_LOAD')).toBe(true);
    expect((err as Error).message).toMatch(/b\.onnx: protobuf parsing failed/);
  });

  it('passes threads and spinning to ONNX Runtime', async () => {
    const seen: unknown[] = [];
    const f: SessionFactory = (file, options) => (seen.push(options), Promise.resolve(fakeSession(file)));
    await openSessions({ a: 'a.onnx' }, settings({ intraOpThreads: 2, allowSpinning: true }), recordingLogger().logger, f);
    expect(seen[0]).toMatchObject({ intraOpNumThreads: 2, extra: { session: { intra_op: { allow_spinning: '1' } } } });
  });
});

describe('collectingSession', () => {
  it('counts the bytes of CPU tensors in and out of each run towards the next scavenge', async () => {
    const { Tensor } = await import('onnxruntime-node');
    const { collectingSession } = await import('../../src/detect/session.js');
    const { YoungCollector } = await import('../../src/shared/young-gc.js');
    let scavenges = 0;
    const young = new YoungCollector(() => scavenges++, 1000);
    const inner = fakeSession('m.onnx');
    inner.run = () => Promise.resolve({ out: new Tensor('float32', new Float32Array(100), [100]) });
    const session = collectingSession(inner, young);
    expect(session.inputNames).toEqual(['in']);
    const feeds = { in: new Tensor('uint8', new Uint8Array(200), [200]) };
    await session.run(feeds); // 200 + 400 bytes
    expect(scavenges).toBe(0);
    const out = await session.run(feeds); // 1200 bytes: one scavenge
    expect(scavenges).toBe(1);
    expect(out.out?.dims).toEqual([100]);
    await session.release();
    expect(inner.released).toBe(true);
  });
});
