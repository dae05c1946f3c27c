// The detector in a worker thread, behind the same Detector interface as the in-thread one.
// Frames are transferred to the worker (not copied) when their Uint8Array owns its whole
// ArrayBuffer: the caller's frame.data is then detached, and the frame comes back as
// FrameAnalysis.frame. One frame in flight at a time.
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { LoadedConfig } from '../config/load.js';
import { AgentError, ERROR_CODES, type ErrorCode } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import type { Frame, FrameAnalysis } from '../shared/types.js';
import { checkFrame, type Detector, type PlateScope } from './detector.js';
import type { ScanMode } from './scene-scan.js';
import { frameForTransfer, type FromWorker, type ToWorker, type WireError, type WorkerInit } from './worker-protocol.js';

export interface WorkerDetectorOptions {
  plates?: PlateScope;
  /** Where the scene detector looks; default: motion-gated regions when `regions.enabled`, else the whole frame. */
  scan?: ScanMode;
  /** Give up waiting for the worker to close after this many ms and terminate it. */
  closeTimeoutMs?: number;
}

function fromWire(e: WireError): Error {
  const err = e.code && e.code in ERROR_CODES ? new AgentError(e.code as ErrorCode, e.message) : new Error(e.message);
  if (e.stack) err.stack = e.stack;
  return err;
}

/**
 * How to start the worker: its entry lies next to this file with the same extension
 * (dist/detect/worker.js when built; src/detect/worker.ts under tsx or vitest). A .ts entry
 * needs tsx's loader in the worker, and Node 20 does not apply `--import` hooks to a worker's
 * entry module, so a two-line bootstrap registers tsx first and then imports the entry.
 */
export function workerEntry(): { target: URL | string; eval: boolean } {
  const ext = extname(fileURLToPath(import.meta.url));
  const url = new URL(`./worker${ext}`, import.meta.url);
  if (ext !== '.ts') return { target: url, eval: false };
  // The ESM build of tsx's API (require.resolve would pick its CJS build).
  const tsxRoot = dirname(createRequire(import.meta.url).resolve('tsx/package.json'));
  const tsxApi = pathToFileURL(join(tsxRoot, 'dist/esm/api/index.mjs')).href;
  return { target: `import(${JSON.stringify(tsxApi)}).then((tsx) => tsx.tsImport(${JSON.stringify(url.href)}, ${JSON.stringify(url.href)}));`, eval: true };
}

/**
 * The worker's V8 young generation, MB. The worker's JS garbage is small and short-lived (boxes,
 * decoded candidates; tensors live outside the heap), but by default V8 lets its semi-spaces grow
 * to 16 MB each. Capped at 2 MB, bench/memory.ts's worker step measured 207/225 vs 288/253 MB after
 * 60 frames (alternating runs) at the same CPU per frame (19.5 vs 20 ms); the real CLI on the demo
 * clip showed no RSS difference after 45 s (215/215 vs 212/211 MB) and no CPU cost.
 */
const WORKER_YOUNG_GENERATION_MB = 2;

const LEVELS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal']);

export async function createWorkerDetector(loaded: LoadedConfig, logger: Logger, options: WorkerDetectorOptions = {}): Promise<Detector> {
  const log = logger.child({ stage: 'detect' });
  const entry = workerEntry();
  const scan = options.scan ?? (loaded.config.regions.enabled ? 'regions' : 'whole');
  const init: WorkerInit = { loaded, scan, ...(options.plates ? { plates: options.plates } : {}) };
  const worker = new Worker(entry.target, { workerData: init, eval: entry.eval, resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB } });

  let pending: { id: number; resolve: (a: FrameAnalysis) => void; reject: (e: Error) => void } | null = null;
  let dead: Error | null = null;
  let nextId = 1;
  let onClosed: (() => void) | null = null;

  const ready = new Promise<Extract<FromWorker, { type: 'ready' }>>((resolve, reject) => {
    worker.on('message', (msg: FromWorker) => {
      switch (msg.type) {
        case 'log': {
          // Worker lines are re-emitted through the agent's logger (its bindings, its files).
          try {
            const { level, msg: text, stage: _stage, ...rest } = JSON.parse(msg.line) as { level: string; msg?: string } & Record<string, unknown>;
            const lvl = LEVELS.has(level) ? (level as 'info') : 'info';
            log[lvl](rest, text ?? '');
          } catch {
            log.info(msg.line);
          }
          break;
        }
        case 'ready':
          resolve(msg);
          break;
        case 'init-error':
          reject(fromWire(msg.error));
          break;
        case 'result':
        case 'error': {
          const p = pending;
          if (!p || p.id !== msg.id) break;
          pending = null;
          if (msg.type === 'result') p.resolve(msg.analysis);
          else p.reject(fromWire(msg.error));
          break;
        }
        case 'closed':
          onClosed?.();
          break;
      }
    });
    worker.on('error', (err) => {
      dead = new Error(`detector worker failed: ${err.message}`, { cause: err });
      log.error({ err }, 'detector worker failed');
      reject(dead);
      pending?.reject(dead);
      pending = null;
    });
    worker.on('exit', (code) => {
      dead ??= new Error(`detector worker exited (code ${code})`);
      reject(dead);
      pending?.reject(dead);
      pending = null;
      onClosed?.();
    });
  });

  let info: Extract<FromWorker, { type: 'ready' }>;
  try {
    info = await ready;
  } catch (err) {
    await worker.terminate();
    throw err;
  }
  let closed = false;

  const detector: Detector = {
    provider: info.provider,
    fallbackReason: info.fallbackReason,
    modelIds: info.modelIds,
    async analyze(frame: Frame): Promise<FrameAnalysis> {
      if (closed) throw new Error('detector is closed');
      if (dead) throw dead;
      if (pending) throw new Error('detector: analyze() called while another frame is in flight');
      checkFrame(frame);
      const id = nextId++;
      const sent = frameForTransfer(frame);
      return await new Promise<FrameAnalysis>((resolve, reject) => {
        pending = { id, resolve, reject };
        const msg: ToWorker = { type: 'analyze', id, frame: sent.frame };
        worker.postMessage(msg, sent.transfer);
      });
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      if (dead) return;
      const done = new Promise<void>((resolve) => (onClosed = resolve));
      worker.postMessage({ type: 'close' } satisfies ToWorker);
      const timer = setTimeout(() => void worker.terminate(), options.closeTimeoutMs ?? 5000);
      await done;
      clearTimeout(timer);
      await worker.terminate();
    },
  };
  return detector;
}
