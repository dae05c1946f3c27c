// One run of the many-agents drill (bench/cluster-drill.ts prints it; the test suite runs a
// small one): `agents` flushers in this process, each with its own SQLite queue file and
// camera id, holding a backlog of `backlog` violations, drain into one central target at once
// through the real flush code (queue → FlushLoop → MysqlSink → CentralDb with central.hosts).
// Optionally one node is SIGKILLed once `killAt` of the backlog is delivered, and started
// again `rejoinAfterMs` later. Then every node still running is counted: produced, central,
// distinct, duplicates, lost (a produced id absent centrally), and the ids seen on each node.
//
// The only thing added to the real path is in cluster-drill-probes.ts (a timing wrapper
// around the sink, a logger counting error codes). Its inputs are in cluster-drill-options.ts,
// the backlog in cluster-drill-seed.ts, the result and its verdict in cluster-drill-result.ts;
// all are re-exported here.
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { setMaxListeners } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { CentralSchema } from '../src/config/central.js';
import { CentralDb, centralDbOptions } from '../src/flush/central-db.js';
import { migrateCentral } from '../src/flush/central-schema.js';
import { classify } from '../src/flush/classify.js';
import { Flusher } from '../src/flush/flusher.js';
import { MysqlSink } from '../src/flush/sink.js';
import { Queue } from '../src/queue/queue.js';
import { silentLogger, type Logger } from '../src/shared/logger.js';
import type { Endpoint } from '../test/helpers/mariadb.js';
import type { DrillOptions, DrillTarget, KillableNode } from './cluster-drill-options.js';
import { TimedSink, countingLogger, median, p95 } from './cluster-drill-probes.js';
import type { DrillResult } from './cluster-drill-result.js';
import { agentId, type Seed } from './cluster-drill-seed.js';

export type { DrillOptions, DrillTarget, KillableNode } from './cluster-drill-options.js';
export { drillProblems, type DrillResult } from './cluster-drill-result.js';
export { seedQueues, type Seed } from './cluster-drill-seed.js';

interface Agent {
  id: string;
  queue: Queue;
  db: CentralDb;
  flusher: Flusher;
  commits: number[];
}

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

/** What every agent of a run shares, and where the probes count. */
interface RunContext {
  o: DrillOptions;
  seed: Seed;
  dir: string;
  labels: string[];
  base: Record<string, unknown>;
  logger: Logger;
  latencies: number[];
  errors: Record<string, number>;
  moves: Record<string, number>;
}

/** Agent i: a copy of its seeded queue, its own CentralDb (node list rotated when spread), a Flusher. */
function openAgent(i: number, c: RunContext): Agent {
  const { o, labels, base } = c;
  const id = agentId(i);
  copyFileSync(join(c.seed.dir, `${id}.sqlite`), join(c.dir, `${id}.sqlite`));
  const queue = Queue.open({ file: join(c.dir, `${id}.sqlite`), maxBytes: 4e9, logger: silentLogger(), reserveBytes: 0 });
  const shift = o.spread ? i % labels.length : 0;
  const central = CentralSchema.parse({ ...base, hosts: [...labels.slice(shift), ...labels.slice(0, shift)] });
  const db = new CentralDb({
    ...centralDbOptions(central, undefined),
    onFailover: (_from, _to, err) => {
      const code = classify(err).code;
      c.moves[code] = (c.moves[code] ?? 0) + 1;
    },
  });
  const commits: number[] = [];
  const sink = new TimedSink(new MysqlSink(db), commits, c.latencies);
  const stats = () => ({ frames: 0, violations: o.backlog, provider: 'cpu' });
  const flusher = new Flusher({ central, password: undefined, queue, logger: c.logger, cameraId: id, cameraLocation: 'Drill junction', agentVersion: 'drill', stats, sink });
  return { id, queue, db, flusher, commits };
}

/** The victim's kill, when there was one: when, who was delivering to it, and its rejoin (ms to Synced). */
interface Kill {
  at: number | null;
  onVictim: Agent[];
  rejoin: Promise<number> | null;
}

/** Waits for every queue to empty (or the timeout), killing the victim once `killAt` of the backlog is delivered. */
async function drainAll(target: DrillTarget, o: DrillOptions, agents: Agent[], produced: number, t0: number, say: (line: string) => void): Promise<Kill> {
  const kill: Kill = { at: null, onVictim: [], rejoin: null };
  const deadline = t0 + o.timeoutMs;
  for (;;) {
    const left = agents.reduce((n, a) => n + a.queue.depth(), 0);
    if (left === 0) break;
    if (Date.now() > deadline) throw new Error(`${target.label}: ${left} violations still queued after ${o.timeoutMs} ms`);
    const v = target.victim;
    if (v && kill.at === null && produced - left >= o.killAt * produced) {
      const victimLabel = labelOf(v.endpoint);
      kill.onVictim = agents.filter((a) => a.db.node === victimLabel);
      kill.at = Date.now();
      await v.kill('SIGKILL');
      say(`${target.label}: SIGKILL ${victimLabel} after ${((kill.at - t0) / 1000).toFixed(1)} s (${kill.onVictim.length} agents were delivering to it)`);
      kill.rejoin = rejoinLater(target, v, o.rejoinAfterMs, say);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return kill;
}

/** Starts the killed node again after `afterMs`; resolves with the ms from its start to Synced. */
async function rejoinLater(target: DrillTarget, v: KillableNode, afterMs: number, say: (line: string) => void): Promise<number> {
  const victimLabel = labelOf(v.endpoint);
  await new Promise((r) => setTimeout(r, afterMs));
  const r0 = Date.now();
  say(`${target.label}: starting ${victimLabel} again`);
  await v.rejoin();
  say(`${target.label}: ${victimLabel} Synced again ${((Date.now() - r0) / 1000).toFixed(1)} s after its start`);
  return Date.now() - r0;
}

export async function runDrill(target: DrillTarget, o: DrillOptions, seed: Seed): Promise<DrillResult> {
  const say = o.say ?? (() => undefined);
  const database = `rsa_drill_${process.pid}_${Date.now() % 100000}`;
  const dir = mkdtempSync(join(tmpdir(), 'rsa-drill-'));
  const labels = target.nodes.map((n) => labelOf(n.endpoint));
  const errors: Record<string, number> = {};
  const base = { user: 'root', database, batch_size: o.batchSize, flush_interval_ms: 100, heartbeat_interval_s: 60 };
  const c: RunContext = { o, seed, dir, labels, base, logger: countingLogger(errors), latencies: [], errors, moves: {} };
  const agents: Agent[] = [];
  const stop = new AbortController();
  setMaxListeners(0, stop.signal); // every agent's loops wait on it
  try {
    await rootQuery(target, `CREATE DATABASE \`${database}\``);
    const setup = new CentralDb(centralDbOptions(CentralSchema.parse({ ...base, hosts: labels }), undefined));
    await setup.withSession((s) => migrateCentral(s));
    await setup.close();
    for (let i = 0; i < seed.agents; i++) agents.push(openAgent(i, c));
    say(`${target.label}: ${o.agents} agents × ${o.backlog} violations queued (${(3 * o.evidenceBytes) / 1000} KB evidence each); draining into ${labels.join(', ')}`);

    const t0 = Date.now();
    const running = agents.map((a) => a.flusher.start(stop.signal));
    const kill = await drainAll(target, o, agents, seed.ids.size, t0, say);
    const seconds = (Date.now() - t0) / 1000;
    stop.abort();
    await Promise.all(running);
    const rejoinMs = kill.rejoin ? await kill.rejoin : null;
    return await tally(target, c, agents, database, { kill, seconds, rejoinMs });
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

/** Counts every running node after the drain, and the agents' and probes' figures, into the result. */
async function tally(
  target: DrillTarget,
  c: RunContext,
  agents: Agent[],
  database: string,
  run: { kill: Kill; seconds: number; rejoinMs: number | null },
): Promise<DrillResult> {
  const { kill, seconds } = run;
  const produced = c.seed.ids;
  const killedAt = kill.at;
  const failover = killedAt === null ? [] : kill.onVictim.map((a) => (a.commits.find((t) => t > killedAt) ?? NaN) - killedAt).filter((x) => Number.isFinite(x));
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
    agents: c.o.agents,
    nodeKills: killedAt === null ? 0 : 1,
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
    batches: c.latencies.length,
    p95BatchMs: p95(c.latencies),
    failedAttempts: agents.reduce((n, a) => n + a.flusher.counters.failedAttempts, 0),
    failovers: agents.reduce((n, a) => n + a.db.failovers, 0),
    failoverMs: failover.length ? [median(failover), Math.max(...failover)] : null,
    errors: c.errors,
    moves: c.moves,
    rejoinMs: run.rejoinMs,
  };
}
