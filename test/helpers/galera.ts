// A real MariaDB Galera cluster for tests and drills: N private mariadbd processes (galera-4,
// Debian's libgalera_smm.so) on 127.0.0.1, each with its own datadir under one temp dir. Node 0
// is bootstrapped (mariadb-install-db, then --wsrep-new-cluster); the others join it one by one
// and receive their state by rsync SST (wsrep_sst_rsync, package rsync), later by IST from the
// donor's gcache. No grant tables: root without password, as in mariadb.ts.
//
// Ports, from `basePort`: node i uses basePort + 10·i + {0 SQL, 1 group communication, 2 IST,
// 3 SST}. Memory is kept small (32 MB buffer pool, 16 MB redo log, 32 MB gcache per node).
//
// Bounded: every mariadbd gets a detached watchdog that SIGKILLs it after `lifetimeMs`, so a
// cluster stops by itself even when the test process dies; dispose() kills everything it
// started (by pid) and removes the temp dir. Running as root, mariadbd runs as `mysql` (rsync's
// daemon would otherwise drop to `nobody` and fail to write the joiner's datadir).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { NODE_STATE_SQL, parseNodeState, type NodeState } from '../../src/flush/node-state.js';
import { hasMariadbd, stopChild, type Endpoint } from './mariadb.js';

const PROVIDERS = [process.env.WSREP_PROVIDER ?? '', '/usr/lib/galera/libgalera_smm.so', '/usr/lib/libgalera_smm.so', '/usr/lib64/galera-4/libgalera_smm.so'];
const onPath = (cmd: string): boolean => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;

export const galeraProvider: string | undefined = PROVIDERS.find((p) => p !== '' && existsSync(p));

/** Why a Galera cluster cannot be started here; undefined when it can. */
export const galeraMissing: string | undefined = !hasMariadbd
  ? 'mariadbd not installed (mariadb-server)'
  : !galeraProvider
    ? 'libgalera_smm.so not found (apt-get install galera-4)'
    : !onPath('rsync') || !onPath('wsrep_sst_rsync')
      ? 'rsync or wsrep_sst_rsync missing (apt-get install rsync)'
      : !onPath('mariadb-install-db')
        ? 'mariadb-install-db missing (mariadb-server)'
        : undefined;

const asRoot = userInfo().uid === 0;
const mysqlUser = asRoot ? spawnSync('id', ['-u', 'mysql'], { encoding: 'utf8' }) : null;
const runAs = asRoot && mysqlUser?.status === 0 ? { uid: Number(mysqlUser.stdout.trim()), gid: Number(spawnSync('id', ['-g', 'mysql'], { encoding: 'utf8' }).stdout.trim()) } : null;

export interface GaleraOptions {
  basePort: number;
  nodes?: number;
  /** Each mariadbd is SIGKILLed after this long, whatever happens to the caller. */
  lifetimeMs?: number;
  /** How long start-up (all nodes Synced) may take. */
  startTimeoutMs?: number;
}

export class GaleraNode {
  readonly index: number;
  readonly name: string;
  readonly port: number;
  readonly dir: string;
  private readonly cluster: GaleraCluster;
  private child: ChildProcess | null = null;
  private watchdog: ChildProcess | null = null;

  constructor(cluster: GaleraCluster, index: number) {
    this.cluster = cluster;
    this.index = index;
    this.name = `node${index + 1}`;
    this.port = cluster.basePort + 10 * index;
    this.dir = join(cluster.dir, this.name);
    mkdirSync(join(this.dir, 'data'), { recursive: true });
  }

  get endpoint(): Endpoint {
    return { host: '127.0.0.1', port: this.port };
  }

  /** host:port, as central.hosts names it. */
  get label(): string {
    return `127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== null;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts mariadbd (bootstrapping a new cluster or joining the others); resolves when it runs. */
  launch(bootstrap: boolean): void {
    if (this.child) return;
    const c = this.cluster;
    const p = this.port;
    const peers = c.nodes.map((n) => `127.0.0.1:${n.port + 1}`).join(',');
    const args = [
      '--no-defaults',
      `--datadir=${join(this.dir, 'data')}`,
      `--socket=${join(this.dir, 's')}`,
      `--pid-file=${join(this.dir, 'pid')}`,
      `--log-error=${join(this.dir, 'err.log')}`,
      `--port=${p}`,
      '--bind-address=127.0.0.1',
      ...(asRoot ? [`--user=${runAs ? 'mysql' : 'root'}`] : []),
      '--skip-grant-tables',
      '--skip-name-resolve',
      '--innodb-buffer-pool-size=32M',
      '--innodb-log-file-size=16M',
      '--innodb-flush-log-at-trx-commit=2',
      '--max-allowed-packet=64M',
      '--max-connections=400',
      '--binlog-format=ROW',
      '--default-storage-engine=InnoDB',
      '--innodb-autoinc-lock-mode=2',
      '--wsrep-on=ON',
      `--wsrep-provider=${galeraProvider}`,
      `--wsrep-cluster-name=rsa-${c.basePort}`,
      `--wsrep-cluster-address=gcomm://${bootstrap ? '' : peers}`,
      `--wsrep-node-name=${this.name}`,
      `--wsrep-node-address=127.0.0.1:${p + 1}`,
      '--wsrep-sst-method=rsync',
      `--wsrep-sst-receive-address=127.0.0.1:${p + 3}`,
      `--wsrep-provider-options=gmcast.listen_addr=tcp://127.0.0.1:${p + 1};ist.recv_addr=127.0.0.1:${p + 2};gcache.size=32M;gcache.page_size=16M;evs.suspect_timeout=PT3S;evs.inactive_timeout=PT6S`,
    ];
    const child = spawn('mariadbd', args, { stdio: 'ignore' });
    this.child = child;
    child.once('exit', () => {
      if (this.child === child) this.child = null;
    });
    const lifetimeS = Math.ceil(c.lifetimeMs / 1000);
    this.watchdog = spawn('sh', ['-c', `sleep ${lifetimeS}; kill -9 ${child.pid} 2>/dev/null`], { detached: true, stdio: 'ignore' });
    this.watchdog.unref();
  }

  /** The node's wsrep state, or null when it does not answer. */
  async state(): Promise<NodeState | null> {
    let conn;
    try {
      conn = await mysql.createConnection({ ...this.endpoint, user: 'root', connectTimeout: 2000 });
      const [rows] = await conn.query(NODE_STATE_SQL);
      return parseNodeState(rows as Array<{ Variable_name: string; Value: string }>);
    } catch {
      return null;
    } finally {
      await conn?.end().catch(() => undefined);
    }
  }

  /** Resolves once the node is ready and Synced in the primary component. */
  async waitSynced(timeoutMs = 60_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      if (!this.child) throw new Error(`${this.name} (port ${this.port}) exited while starting:\n${this.logTail()}`);
      const s = await this.state();
      if (s?.ready && s.state === 'Synced' && s.cluster === 'Primary') return;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`${this.name} (port ${this.port}) not Synced within ${timeoutMs} ms:\n${this.logTail()}`);
  }

  /** SIGKILL (a crash) by default; resolves when the process is gone. */
  async kill(signal: NodeJS.Signals = 'SIGKILL', timeoutMs = 30_000): Promise<void> {
    if (!this.child) return;
    await stopChild(this.child, signal, timeoutMs);
    this.child = null;
    this.stopWatchdog();
  }

  /** Starts a stopped node again; it rejoins (IST, or SST when the gcache no longer covers it). */
  async rejoin(timeoutMs = 90_000): Promise<void> {
    this.launch(false);
    await this.waitSynced(timeoutMs);
  }

  logTail(lines = 12): string {
    try {
      return readFileSync(join(this.dir, 'err.log'), 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }

  stopWatchdog(): void {
    if (this.watchdog?.pid) {
      try {
        process.kill(-this.watchdog.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    this.watchdog = null;
  }
}

export class GaleraCluster {
  readonly basePort: number;
  readonly lifetimeMs: number;
  readonly dir: string;
  readonly nodes: GaleraNode[] = [];

  private constructor(o: GaleraOptions) {
    this.basePort = o.basePort;
    this.lifetimeMs = o.lifetimeMs ?? 10 * 60_000;
    this.dir = mkdtempSync(join(tmpdir(), 'rsa-galera-'));
    for (let i = 0; i < (o.nodes ?? 3); i++) this.nodes.push(new GaleraNode(this, i));
  }

  /** Bootstraps node 1, joins the others one at a time; every node Synced when it resolves. */
  static async create(o: GaleraOptions): Promise<GaleraCluster> {
    if (galeraMissing) throw new Error(`cannot start a Galera cluster: ${galeraMissing}`);
    const c = new GaleraCluster(o);
    try {
      const until = Date.now() + (o.startTimeoutMs ?? 120_000);
      const first = c.nodes[0]!;
      if (runAs) chownTree(c.dir, runAs.uid, runAs.gid);
      const init = spawnSync(
        'mariadb-install-db',
        ['--no-defaults', `--datadir=${join(first.dir, 'data')}`, ...(asRoot ? [`--user=${runAs ? 'mysql' : 'root'}`] : []), '--auth-root-authentication-method=normal', '--skip-test-db', '--skip-name-resolve', '--innodb-log-file-size=16M'],
        { encoding: 'utf8', timeout: 60_000 },
      );
      if (init.status !== 0) throw new Error(`mariadb-install-db failed: ${init.stderr || init.stdout}`);
      first.launch(true);
      await first.waitSynced(until - Date.now());
      for (const n of c.nodes.slice(1)) {
        n.launch(false);
        await n.waitSynced(until - Date.now());
      }
      return c;
    } catch (err) {
      await c.dispose();
      throw err;
    }
  }

  /** central.hosts for this cluster, in node order. */
  get hosts(): string[] {
    return this.nodes.map((n) => n.label);
  }

  /** Runs SQL as root on the first running node (or the one given); returns the rows. */
  async query<T = unknown>(sql: string, values?: unknown[], on?: GaleraNode): Promise<T> {
    const node = on ?? this.nodes.find((n) => n.running);
    if (!node) throw new Error('no Galera node is running');
    const conn = await mysql.createConnection({ ...node.endpoint, user: 'root', connectTimeout: 5000 });
    try {
      const [rows] = await conn.query(sql, values);
      return rows as T;
    } finally {
      await conn.end().catch(() => undefined);
    }
  }

  async dispose(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.kill('SIGKILL')));
    for (const n of this.nodes) n.stopWatchdog();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function chownTree(path: string, uid: number, gid: number): void {
  chownSync(path, uid, gid);
  for (const e of readdirSync(path, { withFileTypes: true })) {
    const p = join(path, e.name);
    if (e.isDirectory()) chownTree(p, uid, gid);
    else chownSync(p, uid, gid);
  }
}
