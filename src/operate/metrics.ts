/**
 * Prometheus metrics for one agent process: a factory with its own Registry (no global
 * default registry, no singletons). Stages do not know prom-client: counters that mirror a
 * stage's own statistics are read from a snapshot callback at scrape time; only inference
 * times are pushed, one observation per model run, through `observeInference`.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ScanSnapshot } from './scan-stats.js';

export const VIOLATION_OUTCOMES = ['emitted', 'duplicate', 'parked', 'queued', 'held', 'lost', 'delivered', 'dead'] as const;
export type ViolationOutcome = (typeof VIOLATION_OUTCOMES)[number];

/** Cumulative counts since the process started, plus current levels; read at every scrape. */
export interface MetricsSnapshot {
  framesReceived: number;
  framesProcessed: number;
  /** Frames replaced by a newer one before detect took them (latest-frame-wins). */
  framesDropped: number;
  violations: Partial<Record<ViolationOutcome, number>>;
  /** Flush batches tried against MySQL. */
  flushAttempts: number;
  /** Failed flush attempts by error type (e.g. transient, permanent, unknown). */
  flushErrors: Record<string, number>;
  /** Records waiting in the SQLite queue. */
  queueDepth: number;
  /** Age of the oldest pending record in seconds; null when the queue is empty. */
  queueOldestPendingAgeS: number | null;
  /** Records in the dead-letter table. */
  deadLetters: number;
  /** Violations waiting in memory because the queue cannot store them (disk full). */
  held: number;
  heldBytes: number;
  /** Best frames the rules hold as evidence of open tracks' undecided violations. */
  evidenceFramesHeld: number;
  /** Evidence images withheld from delivery: their bytes no longer matched their sha256. */
  evidenceDamaged: number;
  cameraUp: boolean;
  cameraRestarts: number;
  /** null when not known yet (no attempt so far). */
  centralReachable: boolean | null;
  /** Where the scene detector looked (motion-gated regions); absent before the detector reports. */
  scan?: ScanSnapshot;
  /** host:port of the central node delivered to (of central.hosts); null when not known. */
  centralNode?: string | null;
  /** Times delivery moved to another central node. */
  centralFailovers?: number;
}

export interface MetricsOptions {
  snapshot: () => MetricsSnapshot;
  /** Constant labels of roadside_agent_info. */
  info: { camera: string; version: string; provider: string };
  /** process_* and nodejs_* metrics on this registry (default true). */
  processMetrics?: boolean;
}

export interface Metrics {
  registry: Registry;
  contentType: string;
  /** One model run; `model` is the model's role (scene, helmet, plate_locator, plate_reader). */
  observeInference(model: string, seconds: number): void;
  /** The exposition text. */
  text(): Promise<string>;
}

/** Sets a counter to a cumulative value read from a stage (they only ever grow). */
function setCounter(counter: Counter<string>, value: number, labels?: Record<string, string>): void {
  if (labels) {
    counter.remove(labels);
    counter.inc(labels, Math.max(0, value));
  } else {
    counter.reset();
    counter.inc(Math.max(0, value));
  }
}

export function createMetrics(options: MetricsOptions): Metrics {
  const registry = new Registry();
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  const read = options.snapshot;
  // All pulled metrics are refreshed from one snapshot per scrape.
  let current: MetricsSnapshot | null = null;
  const snap = (): MetricsSnapshot => (current ??= read());
  const registers = [registry];

  const pulledCounter = (name: string, help: string, value: (s: MetricsSnapshot) => number) =>
    new Counter({
      name,
      help,
      registers,
      collect() {
        setCounter(this, value(snap()));
      },
    });
  const pulledGauge = (name: string, help: string, value: (s: MetricsSnapshot) => number) =>
    new Gauge({
      name,
      help,
      registers,
      collect() {
        this.set(value(snap()));
      },
    });

  new Gauge({
    name: 'roadside_agent_info',
    help: 'Constant 1, labelled with the camera id, the agent version and the execution provider in use.',
    labelNames: ['camera', 'version', 'provider'],
    registers,
  }).set(options.info, 1);

  pulledCounter('roadside_frames_received_total', 'Frames received from ffmpeg.', (s) => s.framesReceived);
  pulledCounter('roadside_frames_processed_total', 'Frames that went through detection.', (s) => s.framesProcessed);
  pulledCounter('roadside_frames_dropped_total', 'Frames replaced by a newer one before detection (latest-frame-wins).', (s) => s.framesDropped);
  pulledCounter('roadside_camera_restarts_total', 'ffmpeg restarts (stall, exit, reconnect).', (s) => s.cameraRestarts);
  pulledCounter('roadside_flush_attempts_total', 'Batches sent to central MySQL.', (s) => s.flushAttempts);

  new Counter({
    name: 'roadside_violations_total',
    help: 'Violations by outcome: emitted by the rules, duplicate (dropped by dedup), parked (not recorded: the motorcycle did not move, rules.record_parked), queued on the box, held (had to wait in memory: disk full), lost (given up over queue.hold), delivered centrally, dead (dead-letter).',
    labelNames: ['outcome'],
    registers,
    collect() {
      const v = snap().violations;
      for (const outcome of VIOLATION_OUTCOMES) setCounter(this, v[outcome] ?? 0, { outcome });
    },
  });
  new Counter({
    name: 'roadside_flush_errors_total',
    help: 'Failed flush attempts by error type.',
    labelNames: ['type'],
    registers,
    collect() {
      for (const [type, n] of Object.entries(snap().flushErrors)) setCounter(this, n, { type });
    },
  });

  pulledGauge('roadside_queue_depth', 'Records waiting in the SQLite queue.', (s) => s.queueDepth);
  pulledGauge('roadside_queue_oldest_pending_seconds', 'Age of the oldest pending record (0 when the queue is empty).', (s) => s.queueOldestPendingAgeS ?? 0);
  pulledGauge('roadside_dead_letters', 'Records in the dead-letter table.', (s) => s.deadLetters);
  pulledGauge('roadside_violations_not_stored', 'Violations held in memory now because the queue cannot store them (disk full); stored as soon as it can.', (s) => s.held);
  pulledGauge('roadside_violations_not_stored_bytes', 'Bytes (metadata + JPEGs) of the violations held in memory.', (s) => s.heldBytes);
  pulledGauge('roadside_evidence_frames_held', "Frames held in memory now as the evidence of open tracks' undecided violations (one camera.detect-size RGB picture each, shared by the tracks it is best for).", (s) => s.evidenceFramesHeld);
  pulledCounter('roadside_violations_not_stored_total', 'Violations that could not be stored at once and had to wait in memory.', (s) => s.violations.held ?? 0);
  pulledCounter('roadside_violations_lost_total', 'Violations given up: more than queue.hold.max_records held, or still held at shutdown (each logged at ERROR with its metadata).', (s) => s.violations.lost ?? 0);
  pulledCounter('roadside_evidence_damaged_total', 'Evidence images withheld from delivery because their bytes no longer matched their sha256 (RSA_EVIDENCE_DAMAGED).', (s) => s.evidenceDamaged);
  pulledGauge('roadside_camera_up', '1 while frames arrive from the camera.', (s) => (s.cameraUp ? 1 : 0));
  pulledGauge('roadside_central_reachable', '1 when the last contact with central MySQL succeeded (0 also before any contact).', (s) =>
    s.centralReachable ? 1 : 0,
  );

  pulledCounter('roadside_scene_inferences_total', 'Scene detector runs: one per region, one per whole frame.', (s) => s.scan?.sceneInferences ?? 0);
  pulledCounter('roadside_frames_without_inference_total', 'Frames with no motion and nothing tracked: no model run at all.', (s) => s.scan?.framesWithoutInference ?? 0);
  pulledCounter('roadside_motorcycles_seen_total', 'Motorcycles found, summed over frames.', (s) => s.scan?.motorcycles ?? 0);
  pulledCounter('roadside_riders_seen_total', 'Riders found, summed over frames: each head the head detector finds on a motorcycle (a passenger in the driver\'s box too), or with the classifier each person on one and the second heads of wide person boxes.', (s) => s.scan?.riders ?? 0);
  pulledCounter('roadside_plate_searches_total', 'Plate searches of motorcycles whose plate is wanted (models.plates_for), one locator search each.', (s) => s.scan?.plateSearches ?? 0);
  pulledCounter('roadside_plate_searches_skipped_total', 'Plate searches of wanted motorcycles that plates.per_track skipped (plate already settled, or waiting after searches that read nothing).', (s) => s.scan?.plateSearchesSkipped ?? 0);
  pulledGauge('roadside_motion_fraction', 'Share of the picture in motion, mean over the recent frames.', (s) => s.scan?.recent.motionFraction ?? 0);
  pulledGauge('roadside_regions_per_frame', 'Scene detector runs per frame, mean over the recent frames.', (s) => s.scan?.recent.regionsPerFrame ?? 0);
  pulledGauge('roadside_inference_ms_per_frame', 'Model time (all models) per frame in ms, mean over the recent frames.', (s) => s.scan?.recent.inferenceMsPerFrame ?? 0);
  new Gauge({
    name: 'roadside_central_node',
    help: '1 for the central node (host:port of central.hosts) the agent delivers to.',
    labelNames: ['node'],
    registers,
    collect() {
      this.reset();
      const node = snap().centralNode;
      if (node) this.set({ node }, 1);
    },
  });
  pulledCounter('roadside_central_failovers_total', 'Times delivery moved to another central node.', (s) => s.centralFailovers ?? 0);

  const inference = new Histogram({
    name: 'roadside_inference_seconds',
    help: 'Time of one model run (pre- and post-processing excluded) by model role.',
    labelNames: ['model'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28],
    registers,
  });

  return {
    registry,
    contentType: registry.contentType,
    observeInference: (model, seconds) => inference.observe({ model }, seconds),
    async text() {
      current = null;
      try {
        return await registry.metrics();
      } finally {
        current = null;
      }
    },
  };
}
