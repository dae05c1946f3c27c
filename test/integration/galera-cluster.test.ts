// The agent against a real 3-node MariaDB Galera cluster (test/helpers/galera.ts, ports
// 26100-26129 and a proxy on 26140): the Galera errors reproduced and classified (certification
// failure, a node cut off from the primary component), the pool leaving a node that is not ready, a short many-agents drill with a node killed and
// rejoined, and a batch whose node committed it and died before the acknowledgement.
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drillProblems, runDrill, seedQueues } from '../../bench/cluster-drill-run.js';
import { CentralSchema } from '../../src/config/central.js';
import { CentralDb, centralDbOptions } from '../../src/flush/central-db.js';
import { nodeFailure } from '../../src/flush/node-state.js';
import { migrateCentral } from '../../src/flush/central-schema.js';
import { classify } from '../../src/flush/classify.js';
import { Flusher } from '../../src/flush/flusher.js';
import { Queue } from '../../src/queue/queue.js';
import { silentLogger } from '../../src/shared/logger.js';
import { GaleraCluster, galeraMissing } from '../helpers/galera.js';
import { skipNotice } from '../helpers/mariadb.js';
import { makeViolations } from '../queue/make-violation.js';

const skip = skipNotice('Galera cluster tests', galeraMissing === undefined, galeraMissing ?? '');
const BASE = 26100;
const PROXY_PORT = 26140;

/** Forwards to a node; once armed, swallows the server's answer to the next COMMIT and calls `cut`. */
class CommitCutProxy {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private armed: (() => Promise<void>) | null = null;
  cutDone: Promise<void> | null = null;

  constructor(target: number) {
    this.server = createServer((client) => {
      const upstream = connect(target, '127.0.0.1');
      this.sockets.add(client).add(upstream);
      let commitSent = false;
      client.on('data', (d) => {
        if (this.armed && d.includes(COMMIT_PACKET)) commitSent = true;
        upstream.write(d);
      });
      upstream.on('data', (d) => {
        if (commitSent && this.armed) {
          const cut = this.armed; // the node answered COMMIT: it committed; the client never hears it
          this.armed = null;
          this.cutDone = cut();
          return;
        }
        client.write(d);
      });
      const close = (): void => {
        client.destroy();
        upstream.destroy();
      };
      client.on('error', close).on('close', close);
      upstream.on('error', close).on('close', close);
    });
  }

  listen(port: number): Promise<void> {
    return new Promise((resolve) => this.server.listen(port, '127.0.0.1', resolve));
  }

  arm(cut: () => Promise<void>): void {
    this.armed = cut;
  }

  /** Stops accepting and drops every connection (the node behind it is gone). */
  close(): void {
    this.server.close();
    for (const s of this.sockets) s.destroy();
  }
}
// COM_QUERY "COMMIT": 3-byte length 7, sequence 0, command 0x03, the text
const COMMIT_PACKET = Buffer.concat([Buffer.from([7, 0, 0, 0, 3]), Buffer.from('COMMIT')]);

async function rows<T>(port: number, sql: string): Promise<T> {
  const c = await mysql.createConnection({ host: '127.0.0.1', port, user: 'root', connectTimeout: 5000 });
  try {
    await c.query('SET SESSION wsrep_sync_wait = 1');
    const [r] = await c.query(sql);
    return r as T;
  } finally {
    await c.end().catch(() => undefined);
  }
}

describe.skipIf(skip)('central on a 3-node Galera cluster', () => {
  let cluster: GaleraCluster;

  beforeAll(async () => {
    cluster = await GaleraCluster.create({ basePort: BASE, lifetimeMs: 5 * 60_000 });
    await cluster.query('CREATE DATABASE rsa_galera_test');
  }, 150_000);
  afterAll(async () => {
    await cluster?.dispose();
  });

  it('gives the certification failure as ER_LOCK_DEADLOCK at COMMIT, classified transient, and the pool stays on the node', async () => {
    const [a, b] = await Promise.all(cluster.nodes.slice(0, 2).map((n) => mysql.createConnection({ ...n.endpoint, user: 'root', database: 'rsa_galera_test' })));
    try {
      await a!.query('CREATE TABLE conflict (id INT PRIMARY KEY, v INT) ENGINE=InnoDB');
      await a!.query('INSERT INTO conflict VALUES (1, 0)');
      await b!.query('SET SESSION wsrep_sync_wait = 1');
      await b!.query('SELECT * FROM conflict');
      await a!.query('START TRANSACTION');
      await b!.query('START TRANSACTION');
      await a!.query('UPDATE conflict SET v = v + 1 WHERE id = 1');
      await b!.query('UPDATE conflict SET v = v + 10 WHERE id = 1');
      await a!.query('COMMIT');
      const err = await b!.query('COMMIT').then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toMatchObject({ code: 'ER_LOCK_DEADLOCK', errno: 1213, sqlState: '40001' });
      expect(classify(err)).toEqual({ kind: 'transient', code: 'ER_LOCK_DEADLOCK' });
      expect(nodeFailure(err)).toBe(false);
    } finally {
      await Promise.all([a?.end(), b?.end()]);
    }
  });

  it('gives 1047 "WSREP has not yet prepared node" on a node cut off from the primary component, classified transient; the pool moves on', async () => {
    const n3 = cluster.nodes[2]!;
    const n1 = cluster.nodes[0]!;
    const conn = await mysql.createConnection({ ...n3.endpoint, user: 'root', database: 'rsa_galera_test' });
    const central = CentralSchema.parse({ hosts: [n3.label, n1.label], user: 'root', database: 'rsa_galera_test' });
    const db = new CentralDb(centralDbOptions(central, undefined));
    try {
      await conn.query('CREATE TABLE IF NOT EXISTS isolated (id INT PRIMARY KEY) ENGINE=InnoDB');
      await conn.query("SET GLOBAL wsrep_provider_options = 'gmcast.isolate=1'");
      const until = Date.now() + 30_000;
      while ((await n3.state())?.ready !== false && Date.now() < until) await new Promise((r) => setTimeout(r, 250));
      expect(await n3.state()).toMatchObject({ ready: false, cluster: 'non-Primary' });
      const err = await conn.query('INSERT INTO isolated VALUES (1)').then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toMatchObject({ code: 'ER_UNKNOWN_COM_ERROR', errno: 1047, sqlState: '08S01', message: 'WSREP has not yet prepared node for application use' });
      expect(classify(err)).toEqual({ kind: 'transient', code: 'ER_UNKNOWN_COM_ERROR' });
      expect(nodeFailure(err)).toBe(true);
      // the agent's pool finds the node not ready at connection setup and delivers to the next one
      expect(await db.withSession((s) => Promise.resolve(s.node))).toBe(n1.label);
    } finally {
      await conn.query("SET GLOBAL wsrep_provider_options = 'gmcast.isolate=0'").catch(() => undefined);
      await conn.end();
      await db.close();
    }
    await n3.waitSynced(60_000);
  }, 90_000);

  it('moves the pool off a node that is not ready (Donor/Desynced), and names the node it delivers to', async () => {
    const [n1, n2] = cluster.nodes;
    const moves: string[] = [];
    const central = CentralSchema.parse({ hosts: [n1!.label, n2!.label], user: 'root', database: 'rsa_galera_test' });
    const db = new CentralDb({ ...centralDbOptions(central, undefined), onFailover: (from, to) => moves.push(`${from} → ${to}`) });
    const admin = await mysql.createConnection({ ...n1!.endpoint, user: 'root' });
    try {
      await admin.query('SET GLOBAL wsrep_desync = ON');
      const state = await n1!.state();
      expect(state?.state).toBe('Donor/Desynced');
      const at = await db.withSession((s) => Promise.resolve(s.node));
      expect(at).toBe(n2!.label);
      expect(db.node).toBe(n2!.label);
      expect(moves).toEqual([`${n1!.label} → ${n2!.label}`]);
    } finally {
      await admin.query('SET GLOBAL wsrep_desync = OFF');
      await admin.end();
      await db.close();
    }
    await n1!.waitSynced(30_000);
  });

  it('drains 4 agents into the cluster while a node is killed and rejoined: nothing lost, nothing twice, every node agrees', async () => {
    const o = { agents: 4, backlog: 60, batchSize: 10, evidenceBytes: 500, killAt: 0.3, rejoinAfterMs: 500, spread: true, timeoutMs: 60_000 };
    const seed = seedQueues(o);
    try {
      const r = await runDrill({ label: 'test', nodes: cluster.nodes, victim: cluster.nodes[0] }, o, seed);
      console.log(`cluster drill (test): produced ${r.produced}, central ${r.central}, distinct ${r.distinct}, duplicates ${r.duplicates}, lost ${r.lost}; failovers ${r.failovers}, failed attempts ${JSON.stringify(r.errors)}`);
      expect(drillProblems(r)).toEqual([]);
      expect(r.nodeKills).toBe(1);
      expect(Object.keys(r.perNode)).toHaveLength(3); // the killed node is back and holds every row
      expect(r.produced).toBe(240);
    } finally {
      rmSync(seed.dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('does not duplicate a batch that one node committed before it died unacknowledged, when the retry lands on another node', async () => {
    const [n1, n2, n3] = cluster.nodes;
    const proxy = new CommitCutProxy(n1!.port);
    await proxy.listen(PROXY_PORT);
    const dir = mkdtempSync(join(tmpdir(), 'rsa-galera-ack-'));
    const queue = Queue.open({ file: join(dir, 'q.sqlite'), maxBytes: 1e9, logger: silentLogger(), reserveBytes: 0 });
    const central = CentralSchema.parse({
      hosts: [`127.0.0.1:${PROXY_PORT}`, n2!.label, n3!.label],
      user: 'root',
      database: 'rsa_galera_test',
      batch_size: 10,
      retry: { initial_s: 0.2, max_s: 1 },
    });
    const migrator = new CentralDb(centralDbOptions(central, undefined));
    await migrator.withSession((s) => migrateCentral(s));
    await migrator.close();
    const flusher = new Flusher({
      central,
      password: undefined,
      queue,
      logger: silentLogger(),
      cameraId: 'ack-cam',
      cameraLocation: 'Ack junction',
      agentVersion: 'test',
      stats: () => ({ frames: 0, violations: 0, provider: 'cpu' }),
    });
    let committedBeforeKill = -1;
    try {
      for (const v of makeViolations(30, { cameraId: 'ack-cam', evidenceBytes: 300 })) queue.enqueue(v);
      proxy.arm(async () => {
        // the first batch is committed on node 1; seen from node 2 (causal read) before node 1 dies
        committedBeforeKill = (await rows<Array<{ n: number }>>(n2!.port, "SELECT COUNT(*) AS n FROM rsa_galera_test.violations WHERE camera_id = 'ack-cam'"))[0]!.n;
        await n1!.kill('SIGKILL');
        proxy.close();
      });
      const r = await flusher.drain(60_000);
      await proxy.cutDone;
      expect(committedBeforeKill).toBe(10);
      expect(r).toEqual({ delivered: 30, timedOut: false });
      expect(flusher.centralNode).toBe(n2!.label);
      expect(flusher.centralFailovers).toBeGreaterThanOrEqual(1);
      expect(flusher.counters.failedAttempts).toBeGreaterThanOrEqual(1);
      const [c] = await rows<Array<{ n: number; d: number }>>(
        n3!.port,
        "SELECT COUNT(*) AS n, COUNT(DISTINCT event_id) AS d FROM rsa_galera_test.violations WHERE camera_id = 'ack-cam'",
      );
      expect(c).toEqual({ n: 30, d: 30 });
      expect(queue.stats()).toMatchObject({ pending: 0, dead: 0 });
    } finally {
      proxy.close();
      await flusher.close();
      queue.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
