// The agent's pipeline in this process, built from the same modules as src/agent.ts (capture
// FrameSource → worker detector → violation stage → SQLite queue) with the capture hand-off
// chosen by the caller, so the bench can show what the lossless hand-off does for a file read
// as fast as possible next to the CLI as it is. No flush, no health endpoint: with the
// example config's threshold this clip has no violations, so they would idle anyway.
import { join } from 'node:path';
import pino from 'pino';
import { createFrameSource, type Handoff } from '../src/capture/index.js';
import type { LoadedConfig } from '../src/config/load.js';
import { createWorkerDetector } from '../src/detect/worker-detector.js';
import { Queue } from '../src/queue/queue.js';
import { violationStageFor } from '../src/rules/violation-stage.js';
import { systemClock } from '../src/shared/clock.js';
import type { Violation } from '../src/shared/types.js';
import { reapedChildrenCpuSeconds } from './run-procs.js';

export interface HarnessSample {
  processed: number;
  received: number;
  dropped: number;
  fps: number;
  /** CPU cores used by this process (main + worker threads) and ffmpeg together, first frame → end. */
  cores: number;
}

export async function harnessRun(loaded: LoadedConfig, handoff: Handoff, dir: string): Promise<HarnessSample> {
  const { config } = loaded;
  const logger = pino({ level: 'warn' });
  const clock = systemClock;
  const detector = await createWorkerDetector(loaded, logger);
  const queue = Queue.open({ file: join(dir, `harness-${process.pid}-${Date.now()}.sqlite`), maxBytes: config.queue.max_bytes, logger, clock });
  const stage = violationStageFor(config, { clock, logger, models: detector.modelIds });
  const store = (vs: readonly Violation[]): void => {
    for (const v of vs) queue.enqueue(v);
  };
  const source = createFrameSource({ camera: config.camera, logger, clock, handoff });
  let processed = 0;
  let first = 0;
  let pending: Promise<void> = Promise.resolve();
  // This process (all its threads) plus reaped children (ffmpeg, once it has exited).
  const cpuNow = (): number => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6 + reapedChildrenCpuSeconds();
  };
  let cpu0 = 0;
  try {
    for (;;) {
      const frame = await source.next();
      if (frame === null) break;
      if (processed === 0) {
        first = frame.capturedAt;
        cpu0 = cpuNow();
      }
      const analysis = await detector.analyze(frame);
      processed++;
      await pending;
      // The stage copies what it keeps for evidence, so the frame's buffer can go back to capture.
      pending = stage.push(analysis).then((vs) => {
        store(vs);
        source.recycle(analysis.frame.data);
      });
    }
    await pending;
    store(await stage.flush());
  } finally {
    await source.stop();
    await detector.close();
    queue.close();
  }
  const end = clock.now();
  const cpu = cpuNow() - cpu0;
  const st = source.stats();
  return { processed, received: st.received, dropped: st.dropped, fps: (processed * 1000) / (end - first), cores: (cpu * 1000) / (end - first) };
}
