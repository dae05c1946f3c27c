// MariaDB for tests: a private database on the shared server (127.0.0.1:3306, root, no
// password; never stopped by a test), and private mariadbd instances that fault drills may
// stop, kill and restart (optionally inside a network namespace the test made).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { CentralSchema } from '../../src/config/central.js';
import type { CentralConfig } from '../../src/config/schema.js';
import { CentralDb, centralDbOptions } from '../../src/flush/central-db.js';
import { migrateCentral } from '../../src/flush/central-schema.js';

export const SHARED_HOST = process.env.ROADSIDE_TEST_MYSQL_HOST ?? '127.0.0.1';
export const SHARED_PORT = Number(process.env.ROADSIDE_TEST_MYSQL_PORT ?? 3306);

export interface Endpoint {
  host: string;
  port: number;
}

let counter = 0;

export async function canConnect(at: Endpoint = { host: SHARED_HOST, port: SHARED_PORT }): Promise<boolean> {
  try {
    const c = await mysql.createConnection({ ...at, user: 'root', connectTimeout: 2000 });
    await c.end();
    return true;
  } catch {
    return false;
  }
}

/** Says once, loudly, why a suite is skipped. */
export function skipNotice(what: string, present: boolean, why: string): boolean {
  if (!present) console.warn(`SKIPPED: ${what}: ${why}`);
  return !present;
}

export interface TestDatabase {
  name: string;
  endpoint: Endpoint;
  /** Runs a statement as root in this database. */
  query<T = unknown>(sql: string, values?: unknown[]): Promise<T>;
  drop(): Promise<void>;
}

/** A uniquely named database (`rsa_test_<pid>_<n>`) on a server; drop it when done. */
export async function createTestDatabase(at: Endpoint = { host: SHARED_HOST, port: SHARED_PORT }): Promise<TestDatabase> {
  const name = `rsa_test_${process.pid}_${++counter}_${Date.now() % 100000}`;
  const admin = await mysql.createConnection({ ...at, user: 'root', connectTimeout: 5000 });
  await admin.query(`CREATE DATABASE \`${name}\``);
  await admin.changeUser({ database: name });
  return {
    name,
    endpoint: at,
    async query<T>(sql: string, values?: unknown[]) {
      const [rows] = await admin.query(sql, values);
      return rows as T;
    },
    async drop() {
      await admin.query(`DROP DATABASE IF EXISTS \`${name}\``).catch(() => undefined);
      await admin.end().catch(() => undefined);
    },
  };
}

/** A valid central config section for a test database. */
export function centralConfigFor(db: { endpoint: Endpoint; name: string }, overrides: Record<string, unknown> = {}): CentralConfig {
  return CentralSchema.parse({ host: db.endpoint.host, port: db.endpoint.port, user: 'root', database: db.name, ...overrides });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export const hasMariadbd = spawnSync('sh', ['-c', 'command -v mariadbd'], { encoding: 'utf8' }).status === 0;

/**
 * A private mariadbd (no grant tables, root without password) on 127.0.0.1:<port>, in its own
 * temp datadir, optionally inside a network namespace. Tests stop, kill and restart it freely.
 */
export class PrivateMariadb {
  readonly dir: string;
  readonly port: number;
  readonly netns: string | undefined;
  private child: ChildProcess | null = null;

  private constructor(port: number, netns?: string) {
    this.dir = mkdtempSync(join(tmpdir(), 'rsa-mariadbd-'));
    // an empty datadir is enough with --skip-grant-tables (no mariadb-install-db needed)
    mkdirSync(join(this.dir, 'data'));
    this.port = port;
    this.netns = netns;
  }

  static async create(options: { netns?: string; port?: number } = {}): Promise<PrivateMariadb> {
    const port = options.port ?? (await freePort());
    const m = new PrivateMariadb(port, options.netns);
    try {
      await m.start();
    } catch (err) {
      await m.dispose();
      throw err;
    }
    return m;
  }

  get endpoint(): Endpoint {
    return { host: '127.0.0.1', port: this.port };
  }

  /** Starts (or restarts) the server on the same datadir; resolves when it accepts queries. */
  async start(timeoutMs = 30_000): Promise<void> {
    if (this.child) return;
    const args = [
      '--no-defaults',
      `--datadir=${join(this.dir, 'data')}`,
      `--socket=${join(this.dir, 's')}`,
      `--pid-file=${join(this.dir, 'pid')}`,
      `--log-error=${join(this.dir, 'err.log')}`,
      `--port=${this.port}`,
      '--bind-address=127.0.0.1',
      '--user=root',
      '--skip-grant-tables',
      '--skip-name-resolve',
      '--innodb-buffer-pool-size=64M',
      '--innodb-log-file-size=64M',
      '--max-allowed-packet=64M',
      '--innodb-flush-log-at-trx-commit=2',
    ];
    const [cmd, argv] = this.netns ? ['ip', ['netns', 'exec', this.netns, 'mariadbd', ...args]] : ['mariadbd', args];
    const child = spawn(cmd, argv, { stdio: 'ignore' });
    this.child = child;
    child.once('exit', () => {
      if (this.child === child) this.child = null;
    });
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      if (!this.child) break;
      if (await this.ping()) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    let log = '';
    try {
      log = readFileSync(join(this.dir, 'err.log'), 'utf8').split('\n').slice(-8).join('\n');
    } catch {
      // no log
    }
    throw new Error(`private mariadbd on port ${this.port} did not start within ${timeoutMs} ms:\n${log}`);
  }

  /** Connects the way the test sees it (inside the namespace through `ip netns exec`). */
  async ping(): Promise<boolean> {
    if (this.netns) {
      const r = spawnSync('ip', ['netns', 'exec', this.netns, 'mariadb', '-h127.0.0.1', `-P${this.port}`, '-uroot', '-e', 'SELECT 1'], {
        stdio: 'ignore',
        timeout: 5000,
      });
      return r.status === 0;
    }
    return canConnect(this.endpoint);
  }

  /** Runs SQL with the mariadb client (works inside the namespace too); returns stdout. */
  sql(statement: string, database?: string): string {
    const base = ['mariadb', '-h127.0.0.1', `-P${this.port}`, '-uroot', '-N', '-B', ...(database ? [database] : []), '-e', statement];
    const [cmd, argv] = this.netns ? ['ip', ['netns', 'exec', this.netns, ...base]] : [base[0]!, base.slice(1)];
    const r = spawnSync(cmd, argv, { encoding: 'utf8', timeout: 30_000 });
    if (r.status !== 0) throw new Error(`mariadb -e ${statement}: ${r.stderr}`);
    return r.stdout.trim();
  }

  /** SIGTERM (clean shutdown) or SIGKILL; resolves when the process is gone. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 30_000): Promise<void> {
    if (!this.child) return;
    await stopChild(this.child, signal, timeoutMs);
    this.child = null;
  }

  async dispose(): Promise<void> {
    await this.stop('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** `db migrate` on a test database, through the agent's own pool and migrations. */
export async function migrateTestDatabase(tdb: TestDatabase): Promise<void> {
  const db = new CentralDb(centralDbOptions(centralConfigFor(tdb), undefined));
  try {
    await db.withSession((s) => migrateCentral(s));
  } finally {
    await db.close();
  }
}

/** Sends `signal`, then SIGKILL after `timeoutMs`; resolves when the process has exited. */
export async function stopChild(child: ChildProcess, signal: NodeJS.Signals, timeoutMs: number): Promise<void> {
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  await gone;
  clearTimeout(timer);
}
