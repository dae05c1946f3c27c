import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { evaluateHealth, startHealthServer, type HealthServer, type HealthSnapshot } from '../../src/operate/health.js';
import { createMetrics, type MetricsSnapshot } from '../../src/operate/metrics.js';
import { isAgentError } from '../../src/shared/errors.js';

const T0 = Date.parse('2025-01-01T00:00:00Z');

function snapshot(over: Partial<HealthSnapshot> = {}, camera: Partial<HealthSnapshot['camera']> = {}): HealthSnapshot {
  return {
    phase: 'running',
    startedAt: T0,
    camera: { id: 'cam-1', state: 'up', lastFrameAt: T0 + 59_000, fpsIn: 5, fpsProcessed: 4.96, fpsDropped: 0.04, ...camera },
    queue: { depth: 3, oldestPendingAt: T0 + 50_000, deadLetters: 0 },
    central: { reachable: true, lastDeliveryAt: T0 + 55_000 },
    provider: 'cpu',
    version: '0.1.0',
    loops: [{ name: 'detect', lastBeatAt: T0 + 59_500, silentMs: 500, maxSilenceMs: 30_000, stalled: false }],
    ...over,
  };
}

const metricsSnapshot: MetricsSnapshot = {
  framesReceived: 1200,
  framesProcessed: 1190,
  framesDropped: 10,
  violations: { emitted: 7, duplicate: 2, queued: 5, held: 3, lost: 1, delivered: 4, dead: 1 },
  flushAttempts: 9,
  flushErrors: { transient: 3, permanent: 1 },
  queueDepth: 1,
  queueOldestPendingAgeS: 12.5,
  deadLetters: 1,
  held: 2,
  heldBytes: 120_000,
  evidenceFramesHeld: 3,
  evidenceDamaged: 1,
  cameraUp: true,
  cameraRestarts: 2,
  centralReachable: true,
  centralNode: 'db2.office:3306',
  centralFailovers: 1,
};

describe('evaluateHealth', () => {
  const now = T0 + 60_000;
  const rules = { maxFrameAgeS: 30 };
  it.each<[string, HealthSnapshot, 'ok' | 'unhealthy', RegExp | null]>([
    ['running with fresh frames', snapshot(), 'ok', null],
    ['last frame too old', snapshot({}, { lastFrameAt: T0 + 20_000, state: 'reconnecting' }), 'unhealthy', /last frame 40 s ago \(bound 30 s\), camera reconnecting/],
    ['no frame since a start-up longer ago than the bound', snapshot({}, { lastFrameAt: null, state: 'connecting' }), 'unhealthy', /no frame since start-up 60 s ago/],
    ['no frame yet, just started', snapshot({ startedAt: now - 5_000 }, { lastFrameAt: null }), 'ok', null],
    ['a loop stalled', snapshot({ loops: [{ name: 'flush', lastBeatAt: T0, silentMs: 60_000, maxSilenceMs: 30_000, stalled: true }] }), 'unhealthy', /loop flush stalled/],
    ['starting', snapshot({ phase: 'starting' }), 'unhealthy', /agent is starting/],
    ['stopping', snapshot({ phase: 'stopping' }), 'unhealthy', /agent is stopping/],
    ['MySQL unreachable is only a warning', snapshot({ central: { reachable: false, lastDeliveryAt: null } }), 'ok', null],
    [
      'the last frame before a restart is too old, and no frame since',
      snapshot({ startedAt: now - 5_000 }, { lastFrameAt: null, lastFrameBeforeStartAt: T0 + 10_000, state: 'connecting' }),
      'unhealthy',
      /last frame 50 s ago \(before the agent restarted\) \(bound 30 s\)/,
    ],
    [
      'violations held because the disk is full',
      snapshot({ queue: { depth: 3, oldestPendingAt: T0, deadLetters: 0, held: 4, heldBytes: 1000, notStoredReason: 'disk full', lost: 0 } }),
      'unhealthy',
      /4 violation\(s\) not stored: held in memory .*\(disk full\)/,
    ],
    [
      'delivery failing with a missing table',
      snapshot({
        central: {
          reachable: true,
          lastDeliveryAt: null,
          failing: { delivery: { code: 'ER_NO_SUCH_TABLE', message: "Table 'x.violations' doesn't exist", since: T0 + 30_000 }, heartbeat: null },
        },
      }),
      'unhealthy',
      /central delivery failing for 30 s with ER_NO_SUCH_TABLE/,
    ],
    [
      'bad credentials met by the heartbeat',
      snapshot({
        central: {
          reachable: null,
          lastDeliveryAt: null,
          failing: { delivery: null, heartbeat: { code: 'ER_ACCESS_DENIED_ERROR', message: 'Access denied for user', since: T0 } },
        },
      }),
      'unhealthy',
      /central heartbeat failing for 60 s with ER_ACCESS_DENIED_ERROR/,
    ],
  ])('%s → %s', (_name, s, status, problem) => {
    const report = evaluateHealth(s, now, rules);
    expect(report.status).toBe(status);
    if (problem) expect(report.problems.join('; ')).toMatch(problem);
    else expect(report.problems).toEqual([]);
  });

  it('warns (200) about an old pending record, violations given up and damaged evidence', () => {
    const s = snapshot({ queue: { depth: 7, oldestPendingAt: T0 - 7200_000, deadLetters: 0, lost: 2, evidenceDamaged: 1 } });
    const report = evaluateHealth(s, now, { maxFrameAgeS: 30, maxPendingAgeS: 3600 });
    expect(report.status).toBe('ok');
    expect(report.warnings).toEqual([
      'oldest pending record is 7260 s old (bound 3600 s); 7 record(s) waiting',
      '2 violation(s) given up since start (RSA_VIOLATION_LOST in the log)',
      '1 evidence image(s) withheld as damaged since start (RSA_EVIDENCE_DAMAGED)',
    ]);
    expect(report.queue.not_stored).toEqual({ held: 0, held_bytes: 0, reason: null, lost_since_start: 2 });
  });

  it('reports ages in seconds and MySQL trouble as a warning', () => {
    const report = evaluateHealth(snapshot({ central: { reachable: false, lastDeliveryAt: T0 } }), now, rules);
    expect(report.camera.last_frame_age_s).toBe(1);
    expect(report.queue.oldest_pending_age_s).toBe(10);
    expect(report.central.last_delivery_age_s).toBe(60);
    expect(report.central.node).toBeNull();
    expect(evaluateHealth(snapshot({ central: { reachable: true, lastDeliveryAt: T0, node: 'db2.office:3306' } }), now, rules).central.node).toBe('db2.office:3306');
    expect(report.warnings).toEqual(['central MySQL unreachable; violations stay queued on the box']);
  });
});

describe('health server', () => {
  let server: HealthServer | null = null;
  afterEach(async () => {
    await server?.close();
    server = null;
  });

  const start = async (s: () => HealthSnapshot) => {
    const metrics = createMetrics({ snapshot: () => metricsSnapshot, info: { camera: 'cam-1', version: '0.1.0', provider: 'cpu' } });
    metrics.observeInference('scene', 0.014);
    metrics.observeInference('helmet', 0.0006);
    server = await startHealthServer({ host: '127.0.0.1', port: 'ephemeral', snapshot: s, rules: { maxFrameAgeS: 30 }, metrics, clock: { now: () => T0 + 60_000 } });
    return server!;
  };

  it('answers /healthz 200 with the JSON report while healthy and 503 when the camera is silent', async () => {
    let current = snapshot();
    const srv = await start(() => current);
    expect(srv.port).toBeGreaterThan(0);
    const ok = await fetch(`${srv.url}/healthz`);
    expect(ok.status).toBe(200);
    const body = (await ok.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ status: 'ok', provider: 'cpu', version: '0.1.0', camera: { id: 'cam-1', state: 'up', fps: { in: 5 } }, queue: { depth: 3 } });
    current = snapshot({}, { lastFrameAt: T0, state: 'reconnecting' });
    const bad = await fetch(`${srv.url}/healthz`);
    expect(bad.status).toBe(503);
    expect(await bad.json()).toMatchObject({ status: 'unhealthy', problems: [expect.stringMatching(/last frame 60 s ago/)] });
  });

  it('serves /metrics in the Prometheus text format with every agent metric', async () => {
    const srv = await start(() => snapshot());
    const res = await fetch(`${srv.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    const samples = new Map<string, number>();
    for (const line of text.split('\n')) {
      if (line === '' || line.startsWith('#')) continue;
      const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?) (\S+)$/.exec(line);
      expect(m, `unparsable sample line: ${line}`).not.toBeNull();
      samples.set(m![1]!, Number(m![2]));
    }
    expect(samples.get('roadside_frames_received_total')).toBe(1200);
    expect(samples.get('roadside_frames_dropped_total')).toBe(10);
    expect(samples.get('roadside_violations_total{outcome="delivered"}')).toBe(4);
    expect(samples.get('roadside_violations_total{outcome="dead"}')).toBe(1);
    expect(samples.get('roadside_flush_attempts_total')).toBe(9);
    expect(samples.get('roadside_flush_errors_total{type="transient"}')).toBe(3);
    expect(samples.get('roadside_queue_depth')).toBe(1);
    expect(samples.get('roadside_violations_not_stored')).toBe(2);
    expect(samples.get('roadside_violations_not_stored_total')).toBe(3);
    expect(samples.get('roadside_violations_lost_total')).toBe(1);
    expect(samples.get('roadside_evidence_damaged_total')).toBe(1);
    expect(samples.get('roadside_evidence_frames_held')).toBe(3);
    expect(samples.get('roadside_camera_up')).toBe(1);
    expect(samples.get('roadside_central_node{node="db2.office:3306"}')).toBe(1);
    expect(samples.get('roadside_central_failovers_total')).toBe(1);
    expect(samples.get('roadside_inference_seconds_count{model="scene"}')).toBe(1);
    expect(samples.get('roadside_agent_info{camera="cam-1",version="0.1.0",provider="cpu"}')).toBe(1);
    expect([...samples.keys()].some((k) => k.startsWith('process_cpu_seconds_total'))).toBe(true);
  });

  it('answers 404 elsewhere and 405 to other methods', async () => {
    const srv = await start(() => snapshot());
    expect((await fetch(`${srv.url}/`)).status).toBe(404);
    expect((await fetch(`${srv.url}/healthz`, { method: 'POST' })).status).toBe(405);
  });

  it('answers 500 when the snapshot callback throws', async () => {
    const srv = await start(() => {
      throw new Error('stats unavailable');
    });
    const res = await fetch(`${srv.url}/healthz`);
    expect(res.status).toBe(500);
    expect(await res.text()).toMatch(/stats unavailable/);
  });

  it('is disabled by port 0', async () => {
    expect(await startHealthServer({ host: '127.0.0.1', port: 0, snapshot, rules: { maxFrameAgeS: 30 } })).toBeNull();
  });

  it('fails with RSA_HEALTH_LISTEN when the port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const err: unknown = await startHealthServer({ host: '127.0.0.1', port, snapshot, rules: { maxFrameAgeS: 30 } }).catch((e: unknown) => e);
      expect(isAgentError(err, 'RSA_HEALTH_LISTEN')).toBe(true);
      expect((err as Error).message).toMatch(new RegExp(`127\\.0\\.0\\.1:${port}`));
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});
