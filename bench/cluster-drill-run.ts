// One run of the many-agents drill (bench/cluster-drill.ts prints it; the test suite runs a
// small one): `agents` flushers in this process, each with its own SQLite queue file and
// camera id, holding a backlog of `backlog` violations, drain into one central target at once
// through the real flush code (queue → FlushLoop → MysqlSink → CentralDb with central.hosts).
// Optionally one node is SIGKILLed once `killAt` of the backlog is delivered, and started
// again `rejoinAfterMs` later. Then every node still running is counted: produced, central,
// distinct, duplicates, lost (a produced id absent centrally), and the ids seen on each node.
//
// The only thing added to the real path is a timing wrapper around the sink (batch latency,
// the time of each committed batch for the failover time).
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { setMaxListeners } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import mysql from 'mysql2/promise';
import pino from 'pino';
import { CentralSchema } from '../src/config/central.js';
import { CentralDb, centralDbOptions } from '../src/flush/central-db.js';
import { migrateCentral } from '../src/flush/central-schema.js';
import { classify } from '../src/flush/classify.js';
import { Flusher } from '../src/flush/flusher.js';
import { MysqlSink, type HeartbeatRow, type Sink } from '../src/flush/sink.js';
import { Queue, type LeasedRecord } from '../src/queue/queue.js';
import { silentLogger, type Logger } from '../src/shared/logger.js';
import type { Endpoint } from '../test/helpers/mariadb.js';
import { makeViolation } from '../test/queue/make-violation.js';

export interface KillableNode {
  label: string;
  endpoint: Endpoint;
  running: boolean;
  kill(signal?: NodeJS.Signals): Promise<void>;
  rejoin(timeoutMs?: number): Promise<void>;
}

export interface DrillTarget {
  label: string;
  /** Every node (one for a single server); agents get them as central.hosts. */
  nodes: KillableNode[];
  /** The node to SIGKILL during the drain; none for a baseline. */
  victim?: KillableNode;
}

export interface DrillOptions {
  agents: number;
  backlog: number;
  batchSize: number;
  /** Bytes of each of the three evidence images. */
  evidenceBytes: number;
  /** Fraction of the backlog delivered when the victim is killed. */
  killAt: number;
  rejoinAfterMs: number;
  /** Agent i lists the nodes starting at node i mod n (load spread), else all start at node 1. */
  spread: boolean;
  timeoutMs: number;
  say?: (line: string) => void;
}

/** Queue files filled once and copied for each run (filling 10,000 records takes a while). */
export interface Seed {
  dir: string;
  ids: Set<string>;
  agents: number;
}

export function seedQueues(o: Pick<DrillOptions, 'agents' | 'backlog' | 'evidenceBytes'>): Seed {
  const dir = mkdtempSync(join(tmpdir(), 'rsa-drill-seed-'));
  const ids = new Set<string>();
  for (let i = 0; i < o.agents; i++) {
    const id = agentId(i);
    const queue = Queue.open({ file: join(dir, `${id}.sqlite`), maxBytes: 4e9, logger: silentLogger(), reserveBytes: 0 });
    for (let k = 0; k < o.backlog; k++) {
      const v = makeViolation({ cameraId: id, evidenceBytes: o.evidenceBytes, occurredAt: Date.now() - (o.backlog - k) * 1000 });
      queue.enqueue(v);
      ids.add(v.id);
    }
    queue.close();
  }
  return { dir, ids, agents: o.agents };
}

const agentId = (i: number): string => `drill-${String(i).padStart(3, '0')}`;

export interface DrillResult {
  label: string;
  agents: number;
  nodeKills: number;
  produced: number;
  central: number;
  distinct: number;
  duplicates: number;
  lost: number;
  /** Rows by node (each node counted on its own after the drain). */
  perNode: Record<string, number>;
  left: number;
  deadLetters: number;
  seconds: number;
  throughput: number;
  batches: number;
  p95BatchMs: number;
  failedAttempts: number;
  failovers: number;
  /** Kill → next committed batch of each agent that was on the killed node: [median, max] ms. */
  failoverMs: [number, number] | null;
  /** Failed attempts by the classifier's code. */
  errors: Record<string, number>;
  /** Moves to another node by the code of the error that caused them. */
  moves: Record<string, number>;
  rejoinMs: number | null;
}

interface Agent {
  id: string;
  queue: Queue;
  db: CentralDb;
  flusher: Flusher;
  commits: number[];
}

class TimedSink implements Sink {
  constructor(
    private readonly inner: Sink,
    private readonly commits: number[],
    private readonly latencies: number[],
  ) {}
  async deliver(records: readonly LeasedRecord[], signal: AbortSignal): Promise<void> {
    const t = performance.now();
    await this.inner.deliver(records, signal);
    this.latencies.push(performance.now() - t);
    this.commits.push(Date.now());
  }
  heartbeat(row: HeartbeatRow, signal: AbortSignal): Promise<void> {
    return this.inner.heartbeat(row, signal);
  }
}

/** A WARN-level logger that counts the classifier's codes of failed attempts. */
function countingLogger(errors: Record<string, number>): Logger {
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split('\n')) {
        if (!l) continue;
        const line = JSON.parse(l) as { msg?: string; error_type?: string; attempt?: number };
        if (line.error_type && line.attempt !== undefined) errors[line.error_type] = (errors[line.error_type] ?? 0) + 1;
      }
      cb();
    },
  });
  return pino({ level: 'warn' }, stream);
}

const p95 = (xs: number[]): number => {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(0.95 * s.length) - 1)]!;
};
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const labelOf = (e: Endpoint): string => `${e.host}:${e.port}`;

async function rootQuery(target: DrillTarget, sql: string): Promise<void> {
  const node = target.nodes.find((n) => n.running);
  if (!node) throw new Error(`${target.label}: no node running`);
  const conn = await mysql.createConnection({ ...node.endpoint, user: 'root', connectTimeout: 5000 });
  try {
    await conn.query(sql);
  } finally {
    await conn.end().catch(() => undefined);
  }
}

async function countOn(node: KillableNode, database: string): Promise<string[]> {
  const conn = await mysql.createConnection({ ...node.endpoint, user: 'root', database, connectTimeout: 5000 });
  try {
    // a causal read on Galera: the node has applied everything the cluster committed
    await conn.query('SET SESSION wsrep_sync_wait = 1').catch(() => undefined);
    const [rows] = await conn.query("SELECT event_id FROM violations WHERE camera_id LIKE 'drill-%'");
    return (rows as Array<{ event_id: string }>).map((r) => r.event_id);
  } finally {
    await conn.end().catch(() => undefined);
  }
}

export async function runDrill(target: DrillTarget, o: DrillOptions, seed: Seed): Promise<DrillResult> {
  const say = o.say ?? (() => undefined);
  const database = `rsa_drill_${process.pid}_${Date.now() % 100000}`;
  const dir = mkdtempSync(join(tmpdir(), 'rsa-drill-'));
  const labels = target.nodes.map((n) => labelOf(n.endpoint));
  const errors: Record<string, number> = {};
  const moves: Record<string, number> = {};
  const logger = countingLogger(errors);
  const latencies: number[] = [];
  const produced = seed.ids;
  const agents: Agent[] = [];
  const stop = new AbortController();
  setMaxListeners(0, stop.signal); // every agent's loops wait on it
  try {
    await rootQuery(target, `CREATE DATABASE \`${database}\``);
    const base = { user: 'root', database, batch_size: o.batchSize, flush_interval_ms: 100, heartbeat_interval_s: 60 };
    const setup = new CentralDb(centralDbOptions(CentralSchema.parse({ ...base, hosts: labels }), undefined));
    await setup.withSession((s) => migrateCentral(s));
    await setup.close();
    for (let i = 0; i < seed.agents; i++) {
      const id = agentId(i);
      copyFileSync(join(seed.dir, `${id}.sqlite`), join(dir, `${id}.sqlite`));
      const queue = Queue.open({ file: join(dir, `${id}.sqlite`), maxBytes: 4e9, logger: silentLogger(), reserveBytes: 0 });
      const shift = o.spread ? i % labels.length : 0;
      const central = CentralSchema.parse({ ...base, hosts: [...labels.slice(shift), ...labels.slice(0, shift)] });
      const db = new CentralDb({
        ...centralDbOptions(central, undefined),
        onFailover: (_from, _to, err) => {
          const code = classify(err).code;
          moves[code] = (moves[code] ?? 0) + 1;
        },
      });
      const commits: number[] = [];
      const sink = new TimedSink(new MysqlSink(db), commits, latencies);
      const stats = () => ({ frames: 0, violations: o.backlog, provider: 'cpu' });
      const flusher = new Flusher({ central, password: undefined, queue, logger, cameraId: id, cameraLocation: 'Drill junction', agentVersion: 'drill', stats, sink });
      agents.push({ id, queue, db, flusher, commits });
    }
    say(`${target.label}: ${o.agents} agents × ${o.backlog} violations queued (${(3 * o.evidenceBytes) / 1000} KB evidence each); draining into ${labels.join(', ')}`);

    const t0 = Date.now();
    const running = agents.map((a) => a.flusher.start(stop.signal));
    let killAt: number | null = null;
    let onVictim: Agent[] = [];
    let rejoin: Promise<number> | null = null;
    const deadline = t0 + o.timeoutMs;
    for (;;) {
      const left = agents.reduce((n, a) => n + a.queue.depth(), 0);
      if (left === 0) break;
      if (Date.now() > deadline) throw new Error(`${target.label}: ${left} violations still queued after ${o.timeoutMs} ms`);
      const v = target.victim;
      if (v && killAt === null && produced.size - left >= o.killAt * produced.size) {
        const victimLabel = labelOf(v.endpoint);
        onVictim = agents.filter((a) => a.db.node === victimLabel);
        killAt = Date.now();
        await v.kill('SIGKILL');
        say(`${target.label}: SIGKILL ${victimLabel} after ${((killAt - t0) / 1000).toFixed(1)} s (${onVictim.length} agents were delivering to it)`);
        rejoin = (async () => {
          await new Promise((r) => setTimeout(r, o.rejoinAfterMs));
          const r0 = Date.now();
          say(`${target.label}: starting ${victimLabel} again`);
          await v.rejoin();
          say(`${target.label}: ${victimLabel} Synced again ${((Date.now() - r0) / 1000).toFixed(1)} s after its start`);
          return Date.now() - r0;
        })();
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    const seconds = (Date.now() - t0) / 1000;
    stop.abort();
    await Promise.all(running);
    const rejoinMs = rejoin ? await rejoin : null;

    const killedAt = killAt;
    const failover = killedAt === null ? [] : onVictim.map((a) => (a.commits.find((t) => t > killedAt) ?? NaN) - killedAt).filter((x) => Number.isFinite(x));
    const perNode: Record<string, number> = {};
    let ids: string[] = [];
    for (const n of target.nodes) {
      if (!n.running) continue;
      const got = await countOn(n, database);
      perNode[labelOf(n.endpoint)] = got.length;
      if (ids.length === 0) ids = got;
    }
    const distinct = new Set(ids);
    const lost = [...produced].filter((id) => !distinct.has(id)).length;
    return {
      label: target.label,
      agents: o.agents,
      nodeKills: killAt === null ? 0 : 1,
      produced: produced.size,
      central: ids.length,
      distinct: distinct.size,
      duplicates: ids.length - distinct.size,
      lost,
      perNode,
      left: agents.reduce((n, a) => n + a.queue.depth(), 0),
      deadLetters: agents.reduce((n, a) => n + a.queue.stats().dead, 0),
      seconds,
      throughput: produced.size / seconds,
      batches: latencies.length,
      p95BatchMs: p95(latencies),
      failedAttempts: agents.reduce((n, a) => n + a.flusher.counters.failedAttempts, 0),
      failovers: agents.reduce((n, a) => n + a.db.failovers, 0),
      failoverMs: failover.length ? [median(failover), Math.max(...failover)] : null,
      errors,
      moves,
      rejoinMs,
    };
  } finally {
    stop.abort();
    for (const a of agents) {
      await a.flusher.close();
      await a.db.close();
      a.queue.close();
    }
    await rootQuery(target, `DROP DATABASE IF EXISTS \`${database}\``).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Every figure right: nothing lost, nothing twice, every node agrees, nothing left behind. */
export function drillProblems(r: DrillResult): string[] {
  const p: string[] = [];
  if (r.central !== r.produced) p.push(`central ${r.central} ≠ produced ${r.produced}`);
  if (r.distinct !== r.produced) p.push(`distinct ${r.distinct} ≠ produced ${r.produced}`);
  if (r.duplicates !== 0) p.push(`${r.duplicates} duplicates`);
  if (r.lost !== 0) p.push(`${r.lost} lost`);
  if (r.left !== 0) p.push(`${r.left} still queued`);
  if (r.deadLetters !== 0) p.push(`${r.deadLetters} in the dead letters`);
  for (const [node, n] of Object.entries(r.perNode)) if (n !== r.produced) p.push(`node ${node} holds ${n} rows, not ${r.produced}`);
  return p;
}
