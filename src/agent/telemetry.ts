// What the composition root reports about the running pipeline: the /metrics and /healthz
// snapshots, read from the stages at each request, and the frame rates sampled for them.
import type { FrameSource } from '../capture/index.js';
import type { Detector } from '../detect/detector.js';
import type { Flusher } from '../flush/flusher.js';
import type { AgentPhase, HealthSnapshot } from '../operate/health.js';
import type { Heartbeats } from '../operate/heartbeats.js';
import type { LastFrameMark } from '../operate/last-frame-mark.js';
import type { MetricsSnapshot } from '../operate/metrics.js';
import type { ScanStats } from '../operate/scan-stats.js';
import type { Queue } from '../queue/queue.js';
import type { StoreHold } from '../queue/store-hold.js';
import type { ViolationStage } from '../rules/violation-stage.js';
import type { Clock } from '../shared/clock.js';
import { agentVersion } from '../shared/version.js';

/** Counts the composition root keeps itself (the stages keep their own). */
export interface PipelineCounters {
  framesProcessed: number;
  detectErrors: number;
}

/** Events per second from cumulative counts, over the last sampling window. */
export class RateMeter {
  private last: { at: number; values: number[] } | null = null;
  rates: number[] = [];
  constructor(private readonly clock: Clock) {}
  sample(values: number[]): void {
    const now = this.clock.now();
    if (this.last && now > this.last.at) {
      const dt = (now - this.last.at) / 1000;
      this.rates = values.map((v, i) => Math.max(0, (v - (this.last!.values[i] ?? 0)) / dt));
    }
    this.last = { at: now, values };
  }
}

/** The stages and counters the snapshots read. */
export interface TelemetryParts {
  cameraId: string;
  clock: Clock;
  startedAt: number;
  phase: () => AgentPhase;
  source: FrameSource;
  stage: ViolationStage;
  queue: Queue;
  hold: StoreHold;
  flusher: Flusher;
  detector: Detector;
  counters: PipelineCounters;
  /** Frames processed and dropped per second (sampled every few seconds). */
  meter: RateMeter;
  heartbeats: Heartbeats;
  scans: ScanStats;
  frameMark: LastFrameMark;
}

export function metricsSnapshot(p: TelemetryParts): MetricsSnapshot {
  const cs = p.source.stats();
  const vs = p.stage.stats();
  const q = p.queue.stats();
  const fc = p.flusher.counters;
  return {
    framesReceived: cs.received,
    framesProcessed: p.counters.framesProcessed,
    framesDropped: cs.dropped,
    violations: {
      emitted: vs.emitted,
      duplicate: Object.values(vs.duplicates).reduce((a, b) => a + b, 0),
      parked: vs.parked,
      queued: p.hold.counters.stored + p.hold.counters.storedLater,
      held: p.hold.counters.held,
      lost: p.hold.counters.lost,
      delivered: fc.delivered,
      dead: fc.rejected,
    },
    flushAttempts: fc.batches + fc.failedAttempts,
    flushErrors: { failed: fc.failedAttempts, rejected: fc.rejected },
    queueDepth: q.pending,
    queueOldestPendingAgeS: q.oldestPendingAt === null ? null : (p.clock.now() - q.oldestPendingAt) / 1000,
    deadLetters: q.dead,
    held: p.hold.size,
    heldBytes: p.hold.heldBytes,
    evidenceFramesHeld: vs.framesHeld,
    evidenceDamaged: fc.evidenceDamaged,
    cameraUp: cs.state === 'online',
    cameraRestarts: cs.restarts,
    centralReachable: fc.centralReachable,
    scan: p.scans.snapshot(),
    centralNode: p.flusher.centralNode,
    centralFailovers: p.flusher.centralFailovers,
  };
}

export function healthSnapshot(p: TelemetryParts): HealthSnapshot {
  const cs = p.source.stats();
  const q = p.queue.stats();
  const fc = p.flusher.counters;
  const [processed = 0, dropped = 0] = p.meter.rates;
  return {
    phase: p.phase(),
    startedAt: p.startedAt,
    camera: {
      id: p.cameraId,
      state: cs.state,
      lastFrameAt: cs.lastFrameAt,
      lastFrameBeforeStartAt: p.frameMark.beforeStart,
      fpsIn: cs.fps,
      fpsProcessed: processed,
      fpsDropped: dropped,
    },
    queue: {
      depth: q.pending,
      oldestPendingAt: q.oldestPendingAt,
      deadLetters: q.dead,
      held: p.hold.size,
      heldBytes: p.hold.heldBytes,
      notStoredReason: p.hold.reason,
      lost: p.hold.counters.lost,
      evidenceDamaged: fc.evidenceDamaged,
    },
    central: { reachable: fc.centralReachable, lastDeliveryAt: fc.lastDeliveryAt, failing: fc.failing, node: p.flusher.centralNode },
    provider: p.detector.provider,
    version: agentVersion(),
    loops: p.heartbeats.snapshot(),
    scan: p.scans.snapshot(),
  };
}
