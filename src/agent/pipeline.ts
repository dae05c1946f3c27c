// The frame loop: capture (main thread, reading ffmpeg's pipe) → detect (worker thread) →
// violations (main thread; JPEG encoding in libuv's pool). While the worker runs a frame, the
// main thread keeps draining the pipe and finishing the previous frame's violations. Without
// frames it still wakes every IDLE_TICK_MS to close tracks that ended and to beat its heartbeat.
import type { FrameSource } from '../capture/index.js';
import type { Detector } from '../detect/detector.js';
import type { Heartbeats } from '../operate/heartbeats.js';
import type { ViolationStage } from '../rules/violation-stage.js';
import { describeError, isAgentError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import type { Frame, FrameAnalysis, Violation } from '../shared/types.js';
import type { PipelineCounters } from './telemetry.js';

export const PIPELINE_LOOP = 'pipeline';
/** The pipeline loop wakes at least this often without frames (tick the tracks, beat). */
const IDLE_TICK_MS = 1000;

export interface PipelineParts {
  source: FrameSource;
  detector: Detector;
  stage: ViolationStage;
  heartbeats: Heartbeats;
  /** The loop's heartbeat bound (operate.watchdog.max_loop_silence_s). */
  maxLoopSilenceMs: number;
  counters: PipelineCounters;
  log: Logger;
  /** Each analysis, as soon as detect returns it (timings, scan statistics). */
  observe: (analysis: FrameAnalysis) => void;
  /** Commits violations to the queue. */
  store: (violations: readonly Violation[]) => void;
  /** After the violation stage took a frame, before its buffer goes back to capture. */
  pushed: (analysis: FrameAnalysis) => void;
}

/** Runs until the source ends ('finished') or `signal` aborts ('stopped'). */
export async function runPipeline(p: PipelineParts, signal: AbortSignal): Promise<'finished' | 'stopped'> {
  p.heartbeats.register(PIPELINE_LOOP, p.maxLoopSilenceMs);
  let pendingPush: Promise<void> = Promise.resolve();
  let nextFrame: Promise<Frame | null> | null = null;
  const idle = (): Promise<'idle'> => new Promise((resolve) => setTimeout(() => resolve('idle'), IDLE_TICK_MS).unref());
  try {
    while (!signal.aborted) {
      nextFrame ??= p.source.next(signal);
      const got = await Promise.race([nextFrame, idle()]);
      p.heartbeats.beat(PIPELINE_LOOP);
      if (got === 'idle') {
        await pendingPush;
        pendingPush = p.stage.tick().then(p.store);
        continue;
      }
      nextFrame = null;
      if (got === null) return 'finished';
      let analysis: FrameAnalysis;
      try {
        analysis = await p.detector.analyze(got);
      } catch (err) {
        p.counters.detectErrors += 1;
        p.log.error({ code: isAgentError(err) ? err.code : undefined, err: describeError(err), seq: got.seq }, 'detect failed on a frame; frame skipped');
        continue;
      }
      p.counters.framesProcessed += 1;
      p.observe(analysis);
      await pendingPush;
      // The stage copies what it keeps as evidence, so the frame's buffer goes back to capture.
      pendingPush = p.stage.push(analysis).then((violations) => {
        p.store(violations);
        p.pushed(analysis);
        p.source.recycle(analysis.frame.data);
        if (analysis.frame.full) p.source.recycle(analysis.frame.full.data);
      });
    }
    return 'stopped';
  } catch (err) {
    if (signal.aborted) return 'stopped';
    throw err;
  } finally {
    await pendingPush.catch((err: unknown) => p.log.error({ err: describeError(err) }, 'violation stage failed'));
    p.heartbeats.unregister(PIPELINE_LOOP);
  }
}
