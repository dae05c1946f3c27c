// The running agent's wiring, once start-up is done: the store that commits each violation to
// the queue, and the two loops, frames (agent/pipeline.ts) and flush. Shutdown stops the frame
// loop through `intake` and the flush loop through its own signal.
import type { Logger } from '../shared/logger.js';
import type { FrameAnalysis, Violation } from '../shared/types.js';
import type { AgentParts } from './compose.js';
import { runPipeline } from './pipeline.js';

export type Store = (violations: readonly Violation[]) => void;

export interface Running {
  store: Store;
  /** Aborting it stops the frame loop after the frame in flight. */
  intake: AbortController;
  pipeline: Promise<'finished' | 'stopped'>;
  flushing: Promise<void>;
}

export interface RunningOptions {
  log: Logger;
  /** The frame loop's heartbeat bound (operate.watchdog.max_loop_silence_s). */
  maxLoopSilenceMs: number;
  /** Each analysis, as soon as detect returns it (timings, scan statistics). */
  observe: (analysis: FrameAnalysis) => void;
  /** Stops the flush loop (the shutdown's signal). */
  flushSignal: AbortSignal;
}

export function startRunning(parts: AgentParts, o: RunningOptions): Running {
  const { source, detector, stage, heartbeats, counters, ui } = parts;
  const store = createStore(parts, o.log);
  const intake = new AbortController();
  const pipeline = runPipeline(
    {
      source,
      detector,
      stage,
      heartbeats,
      maxLoopSilenceMs: o.maxLoopSilenceMs,
      counters,
      log: o.log,
      observe: o.observe,
      store,
      pushed: (analysis) => ui.observe(analysis, () => stage.tracks()),
    },
    intake.signal,
  );
  const flushing = parts.flusher.start(o.flushSignal);
  return { store, intake, pipeline, flushing };
}

/**
 * Commits each violation to the queue before anything else happens to it; one the queue
 * cannot take now (disk full) waits in the hold and is stored as soon as it can be.
 */
function createStore({ hold, flusher, ui }: AgentParts, log: Logger): Store {
  return (violations) => {
    if (hold.size > 0 && hold.retry() > 0) flusher.wake();
    for (const v of violations) {
      const r = hold.store(v);
      if (r.outcome === 'held') continue;
      ui.queued(v);
      flusher.wake();
      log.info(
        { event_id: v.id, plate: v.plateText, confidence: v.detectionConfidence, frames: v.frameCount, images_dropped: r.imagesDropped || undefined },
        'violation queued',
      );
    }
  };
}
