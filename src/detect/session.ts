// ONNX Runtime sessions and the execution provider really in use. Asking for a GPU provider
// whose library is missing makes session creation fail (ONNX Runtime does not fall back by
// itself): we fall back to the CPU with a WARN naming the reason, or refuse to start with
// RSA_PROVIDER_UNAVAILABLE when the config requires the GPU.
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import type { Logger } from '../shared/logger.js';
import { AgentError, describeError } from '../shared/errors.js';
import { YoungCollector } from '../shared/young-gc.js';

export type Provider = 'cpu' | 'cuda' | 'webgpu';

/** The part of an InferenceSession the pipeline uses; tests inject fakes. */
export interface ModelSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, Tensor>): Promise<Record<string, Tensor>>;
  release(): Promise<void>;
}

export type SessionOptions = InferenceSession.SessionOptions;
export type SessionFactory = (file: string, options: SessionOptions) => Promise<ModelSession>;

export interface SessionSettings {
  provider: Provider;
  requireGpu: boolean;
  intraOpThreads: number;
  /** Let idle intra-op threads spin (faster hand-off, but burns CPU next to ffmpeg). */
  allowSpinning: boolean;
}

export interface OpenedSessions<K extends string> {
  sessions: Record<K, ModelSession>;
  /** The provider every session runs on. */
  provider: Provider;
  /** Why the configured GPU provider is not in use; null when it is (or cpu was asked). */
  fallbackReason: string | null;
}

/** A session whose tensors (inputs and outputs on the CPU) count towards `young`'s next scavenge. */
export function collectingSession(session: ModelSession, young: YoungCollector): ModelSession {
  const cpuBytes = (tensors: Record<string, Tensor>): number =>
    Object.values(tensors).reduce((sum, t) => sum + (t.location === 'cpu' && ArrayBuffer.isView(t.data) ? t.data.byteLength : 0), 0);
  return {
    get inputNames() { return session.inputNames; },
    get outputNames() { return session.outputNames; },
    async run(feeds) {
      const outputs = await session.run(feeds);
      young.add(cpuBytes(feeds) + cpuBytes(outputs));
      return outputs;
    },
    release: () => session.release(),
  };
}

/** One collector for the sessions of this thread: each frame's tensors are garbage soon after (shared/young-gc.ts). */
let inferenceGarbage: YoungCollector | null = null;

export const ortSessionFactory: SessionFactory = async (file, options) => {
  const ort = await import('onnxruntime-node');
  inferenceGarbage ??= new YoungCollector();
  return collectingSession(await ort.InferenceSession.create(file, options), inferenceGarbage);
};

export function sessionOptions(settings: SessionSettings, provider: Provider): SessionOptions {
  return {
    // The CPU stays listed after a GPU provider so operators it lacks still run.
    executionProviders: provider === 'cpu' ? ['cpu'] : [provider, 'cpu'],
    intraOpNumThreads: settings.intraOpThreads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    // No arena and no memory patterns: the plate locator's input size changes per motorcycle, so
    // an arena only grows; off, the four default sessions stay ~30 MB smaller after warm-up.
    enableCpuMemArena: false,
    enableMemPattern: false,
    graphOptimizationLevel: 'all',
    extra: { session: { intra_op: { allow_spinning: settings.allowSpinning ? '1' : '0' } } },
  };
}

async function openAll<K extends string>(
  files: Record<K, string>,
  options: SessionOptions,
  factory: SessionFactory,
): Promise<Record<K, ModelSession>> {
  const opened: Partial<Record<K, ModelSession>> = {};
  try {
    for (const key of Object.keys(files) as K[]) {
      try {
        opened[key] = await factory(files[key], options);
      } catch (err) {
        throw new Error(`${files[key]}: ${describeError(err)}`, { cause: err });
      }
    }
    return opened as Record<K, ModelSession>;
  } catch (err) {
    const made = Object.values<ModelSession | undefined>(opened).filter((s): s is ModelSession => s !== undefined);
    await Promise.allSettled(made.map((s) => s.release()));
    throw err;
  }
}

/**
 * Opens one session per model file on the configured provider, all on the same one: a GPU
 * provider that fails for any model means the CPU for all (or RSA_PROVIDER_UNAVAILABLE).
 * A model that does not load on the CPU either throws RSA_MODEL_LOAD naming the file.
 */
export async function openSessions<K extends string>(
  files: Record<K, string>,
  settings: SessionSettings,
  logger: Logger,
  factory: SessionFactory = ortSessionFactory,
): Promise<OpenedSessions<K>> {
  let fallbackReason: string | null = null;
  if (settings.provider !== 'cpu') {
    try {
      const sessions = await openAll(files, sessionOptions(settings, settings.provider), factory);
      logger.info({ provider: settings.provider }, `inference on ${settings.provider}`);
      return { sessions, provider: settings.provider, fallbackReason: null };
    } catch (err) {
      fallbackReason = `${settings.provider} execution provider unavailable: ${describeError(err)}`;
      if (settings.requireGpu) {
        throw new AgentError(
          'RSA_PROVIDER_UNAVAILABLE',
          `${fallbackReason} (models.require_gpu is true, so the agent does not fall back to the CPU)`,
          { cause: err },
        );
      }
      logger.warn({ provider: 'cpu', requested: settings.provider, reason: fallbackReason }, `falling back to the CPU: ${fallbackReason}`);
    }
  }
  let sessions: Record<K, ModelSession>;
  try {
    sessions = await openAll(files, sessionOptions(settings, 'cpu'), factory);
  } catch (err) {
    throw new AgentError('RSA_MODEL_LOAD', `ONNX Runtime could not load a model: ${describeError(err)}`, { cause: err });
  }
  if (fallbackReason === null) logger.info({ provider: 'cpu' }, 'inference on cpu');
  return { sessions, provider: 'cpu', fallbackReason };
}
