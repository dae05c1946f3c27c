/**
 * What /healthz says, from a snapshot of the agent: a pure function of the snapshot and the time.
 *
 * 503 policy: /healthz answers 503 when something needs a person on this box or its config,
 * or the agent is not doing its job; 200 with warnings when it will pass by itself.
 * 503 (`problems`):
 *  - the agent is starting (READY not reached yet) or stopping;
 *  - the camera's last good frame is older than operate.health.max_frame_age_s (the time of
 *    the last frame survives restarts of ffmpeg and of the agent, see last-frame-mark.ts), or
 *    no frame ever arrived within that time of start-up;
 *  - a pipeline loop is stalled (heartbeats.ts);
 *  - violations are held in memory because the queue cannot store them (disk full): they are
 *    at risk until stored;
 *  - delivery or the heartbeat fails for a reason that does not pass by itself (bad
 *    credentials, a missing table or column, a refused grant): nothing reaches central until
 *    someone fixes it (`db migrate`, the grants in docs/central.md, the password).
 * 200 with `warnings`:
 *  - central MySQL unreachable (transient: the queue holds the violations);
 *  - the oldest pending record is older than operate.health.max_pending_age_s;
 *  - dead letters; violations given up since start (RSA_VIOLATION_LOST, logged at ERROR);
 *    evidence withheld as damaged since start.
 */
import type { LoopState } from './heartbeats.js';
import type { ScanSnapshot } from './scan-stats.js';

export type AgentPhase = 'starting' | 'running' | 'stopping';

/** What the composition root reports about the pipeline, read at each request. */
export interface HealthSnapshot {
  phase: AgentPhase;
  /** Epoch ms when the agent started. */
  startedAt: number;
  camera: {
    id: string;
    /** The capture stage's own word for it, e.g. connecting, up, reconnecting, stopped. */
    state: string;
    /** Epoch ms of the last frame received; null before the first. */
    lastFrameAt: number | null;
    /** Epoch ms of the last frame before this process started (a restart); null when unknown. */
    lastFrameBeforeStartAt?: number | null;
    fpsIn: number;
    fpsProcessed: number;
    fpsDropped: number;
  };
  queue: {
    depth: number;
    /** Epoch ms of the oldest pending record; null when empty. */
    oldestPendingAt: number | null;
    deadLetters: number;
    /** Violations held in memory because the queue cannot store them (store-hold.ts). */
    held?: number;
    heldBytes?: number;
    /** Why the queue refuses, while anything is held. */
    notStoredReason?: string | null;
    /** Violations given up since start. */
    lost?: number;
    /** Evidence images withheld as damaged since start. */
    evidenceDamaged?: number;
  };
  central: {
    /** null when not known yet. */
    reachable: boolean | null;
    /** Epoch ms of the last committed batch; null before the first. */
    lastDeliveryAt: number | null;
    /** Failures that do not pass by themselves, by what met them (flush/loop.ts). */
    failing?: { delivery: CentralFailureView | null; heartbeat: CentralFailureView | null };
    /** host:port of the central node delivered to (of central.hosts); null when not known. */
    node?: string | null;
  };
  /** Execution provider really in use (cpu, webgpu, cuda). */
  provider: string;
  version: string;
  loops: LoopState[];
  /** Where the scene detector looked; absent when not reported. */
  scan?: ScanSnapshot;
}

export interface CentralFailureView {
  code: string;
  message: string;
  since: number;
}

export interface HealthReport {
  status: 'ok' | 'unhealthy';
  /** Why the status is unhealthy (empty when ok). */
  problems: string[];
  /** Worth a look, not a failure. */
  warnings: string[];
  phase: AgentPhase;
  version: string;
  provider: string;
  uptime_s: number;
  camera: {
    id: string;
    state: string;
    last_frame_age_s: number | null;
    fps: { in: number; processed: number; dropped: number };
  };
  queue: {
    depth: number;
    oldest_pending_age_s: number | null;
    dead_letters: number;
    not_stored: { held: number; held_bytes: number; reason: string | null; lost_since_start: number };
    evidence_damaged_since_start: number;
  };
  central: {
    reachable: boolean | null;
    last_delivery_age_s: number | null;
    failing: Array<{ what: 'delivery' | 'heartbeat'; error_type: string; message: string; for_s: number }>;
    node: string | null;
  };
  loops: Array<{ name: string; silent_s: number; stalled: boolean }>;
  /** Motion-gated detection over the recent frames, and frames without any inference since start. */
  detect?: { motion_fraction: number | null; regions_per_frame: number; inference_ms_per_frame: number; frames_without_inference: number; frames: number };
}

export interface HealthRules {
  maxFrameAgeS: number;
  /** operate.health.max_pending_age_s; undefined: no bound. */
  maxPendingAgeS?: number;
}

const ageS = (now: number, at: number | null): number | null => (at === null ? null : Math.max(0, round1((now - at) / 1000)));
function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

/** Pure: a snapshot and the time in, the report out. */
export function evaluateHealth(s: HealthSnapshot, now: number, rules: HealthRules): HealthReport {
  const problems: string[] = [];
  const warnings: string[] = [];
  const uptime = Math.max(0, round1((now - s.startedAt) / 1000));
  const frameAge = ageS(now, s.camera.lastFrameAt ?? s.camera.lastFrameBeforeStartAt ?? null);
  if (s.phase !== 'running') problems.push(`agent is ${s.phase}`);
  problems.push(...cameraProblems(s, frameAge, uptime, rules));
  for (const loop of s.loops)
    if (loop.stalled) problems.push(`loop ${loop.name} stalled: silent ${Math.round(loop.silentMs / 1000)} s (bound ${Math.round(loop.maxSilenceMs / 1000)} s)`);
  const held = s.queue.held ?? 0;
  if (held > 0)
    problems.push(`${held} violation(s) not stored: held in memory because the queue cannot store them (${s.queue.notStoredReason ?? 'unknown reason'})`);
  const failing = failingList(s, now);
  for (const f of failing)
    problems.push(`central ${f.what} failing for ${f.for_s} s with ${f.error_type} (does not pass by itself: check the password, grants, \`db migrate\`): ${f.message}`);
  if (s.central.reachable === false) warnings.push('central MySQL unreachable; violations stay queued on the box');
  const pendingAge = ageS(now, s.queue.oldestPendingAt);
  if (rules.maxPendingAgeS !== undefined && pendingAge !== null && pendingAge > rules.maxPendingAgeS)
    warnings.push(`oldest pending record is ${pendingAge} s old (bound ${rules.maxPendingAgeS} s); ${s.queue.depth} record(s) waiting`);
  if (s.queue.deadLetters > 0) warnings.push(`${s.queue.deadLetters} record(s) in the dead-letter table`);
  if ((s.queue.lost ?? 0) > 0) warnings.push(`${s.queue.lost} violation(s) given up since start (RSA_VIOLATION_LOST in the log)`);
  if ((s.queue.evidenceDamaged ?? 0) > 0) warnings.push(`${s.queue.evidenceDamaged} evidence image(s) withheld as damaged since start (RSA_EVIDENCE_DAMAGED)`);
  return {
    status: problems.length === 0 ? 'ok' : 'unhealthy',
    problems,
    warnings,
    phase: s.phase,
    version: s.version,
    provider: s.provider,
    uptime_s: uptime,
    camera: {
      id: s.camera.id,
      state: s.camera.state,
      last_frame_age_s: frameAge,
      fps: { in: round1(s.camera.fpsIn), processed: round1(s.camera.fpsProcessed), dropped: round1(s.camera.fpsDropped) },
    },
    queue: {
      depth: s.queue.depth,
      oldest_pending_age_s: pendingAge,
      dead_letters: s.queue.deadLetters,
      not_stored: { held, held_bytes: s.queue.heldBytes ?? 0, reason: held > 0 ? (s.queue.notStoredReason ?? null) : null, lost_since_start: s.queue.lost ?? 0 },
      evidence_damaged_since_start: s.queue.evidenceDamaged ?? 0,
    },
    central: { reachable: s.central.reachable, last_delivery_age_s: ageS(now, s.central.lastDeliveryAt), failing, node: s.central.node ?? null },
    loops: s.loops.map((l) => ({ name: l.name, silent_s: round1(l.silentMs / 1000), stalled: l.stalled })),
    ...(s.scan ? { detect: detectReport(s.scan) } : {}),
  };
}

function detectReport(s: ScanSnapshot): NonNullable<HealthReport['detect']> {
  const r3 = (x: number): number => Math.round(x * 1000) / 1000;
  return {
    motion_fraction: s.recent.motionFraction === null ? null : r3(s.recent.motionFraction),
    regions_per_frame: r3(s.recent.regionsPerFrame),
    inference_ms_per_frame: round1(s.recent.inferenceMsPerFrame),
    frames_without_inference: s.framesWithoutInference,
    frames: s.frames,
  };
}


function cameraProblems(s: HealthSnapshot, frameAge: number | null, uptime: number, rules: HealthRules): string[] {
  const restarted = s.camera.lastFrameAt === null && frameAge !== null ? ' (before the agent restarted)' : '';
  if (frameAge !== null && frameAge > rules.maxFrameAgeS)
    return [`last frame ${frameAge} s ago${restarted} (bound ${rules.maxFrameAgeS} s), camera ${s.camera.state}`];
  if (frameAge === null && uptime > rules.maxFrameAgeS)
    return [`no frame since start-up ${uptime} s ago (bound ${rules.maxFrameAgeS} s), camera ${s.camera.state}`];
  return [];
}

function failingList(s: HealthSnapshot, now: number): HealthReport['central']['failing'] {
  const out: HealthReport['central']['failing'] = [];
  for (const what of ['delivery', 'heartbeat'] as const) {
    const f = s.central.failing?.[what];
    if (f) out.push({ what, error_type: f.code, message: f.message, for_s: ageS(now, f.since) ?? 0 });
  }
  return out;
}
