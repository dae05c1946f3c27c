// The connection pool to central MySQL and the only way the agent talks to it.
//
// Invariants
// - Every statement, START TRANSACTION and COMMIT included, is a query with a timeout.
//   (mysql2's beginTransaction()/commit() take none and were seen to hang through an outage.)
// - After any error on a connection, it is destroyed, never returned to the pool: its state
//   (an open transaction, a half-read packet) is unknown. The server rolls back what it held.
// - An AbortSignal stops the wait at once: the connection in use is destroyed, and what its
//   transaction did is rolled back by the server unless COMMIT had already reached it; the
//   caller then keeps its records queued and the idempotent insert makes a re-delivery safe.
// - Each new connection gets a strict sql_mode (so an over-long value is an error, not a
//   silent truncation) and time_zone +00:00 (every DATETIME written is UTC).
//
// Several hosts (a cluster): one node at a time, sticky. A connection that cannot be made, a
// node that is not ready (node-state.ts, asked at connection setup and again on a reused
// connection after READY_RECHECK_MS), or a node-level error on a statement (the node died, or
// left the primary component) moves the pool to the next host, wrapping round; within one
// call every host is tried once before the error goes to the caller's backoff. Conflicts
// (deadlock, certification failure, lock wait) stay on the node: the caller retries there.
// No fail-back: moving back to a node that just returned would only flap. On Galera each
// session reads with wsrep_sync_wait = 1, so the idempotency check (sink.ts) sees every
// transaction the cluster committed, also one committed through another node that died
// before its acknowledgement arrived. (mysql2's PoolCluster knows connection errors only, not
// wsrep state, and its ORDER selector fails back.)
import { readFileSync } from 'node:fs';
import mysql from 'mysql2/promise';
import type { Pool, PoolConnection, PoolOptions, QueryValues } from 'mysql2/promise';
import { centralHosts, hostLabel, type CentralHost } from '../config/central.js';
import type { CentralConfig } from '../config/schema.js';
import { abortable } from './abortable.js';
import { nodeFailure, notReadyError, readNodeState, usable } from './node-state.js';

export const SESSION_SQL_MODE = 'STRICT_ALL_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION';

/** A reused connection's node is asked again whether it is ready after this long. */
export const READY_RECHECK_MS = 2000;

export interface CentralDbOptions {
  /** In order of preference; one entry for a single server. */
  hosts: CentralHost[];
  user: string;
  password: string | undefined;
  database: string | undefined;
  poolSize: number;
  connectTimeoutMs: number;
  queryTimeoutMs: number;
  tls?: { caFile?: string | undefined; rejectUnauthorized: boolean } | undefined;
  /** Told when the pool moves to another host (for the log). */
  onFailover?: (from: string, to: string, err: unknown) => void;
}

export function centralDbOptions(c: CentralConfig, password: string | undefined): CentralDbOptions {
  return {
    hosts: centralHosts(c),
    user: c.user,
    password,
    database: c.database,
    poolSize: c.pool_size,
    connectTimeoutMs: c.connect_timeout_ms,
    queryTimeoutMs: c.query_timeout_ms,
    tls: c.tls.enabled ? { caFile: c.tls.ca_file, rejectUnauthorized: c.tls.reject_unauthorized } : undefined,
  };
}

/** One connection taken from the pool for a unit of work. */
export interface Session {
  query<T = unknown>(sql: string, values?: unknown): Promise<T>;
  /** A prepared statement (binary protocol; the connection caches it by its text). */
  execute<T = unknown>(sql: string, values: unknown[]): Promise<T>;
  /** The server's max_allowed_packet, read when the connection was set up. */
  readonly maxAllowedPacket: number;
  /** host:port of the node this session talks to. */
  readonly node: string;
}

interface ConnInfo {
  packet: number;
  galera: boolean;
  checkedAt: number;
}

export class CentralDb {
  private readonly options: CentralDbOptions;
  private readonly pools: Array<Pool | null>;
  private readonly info = new WeakMap<object, ConnInfo>();
  private current = 0;
  private moves = 0;

  constructor(options: CentralDbOptions) {
    if (options.hosts.length === 0) throw new Error('CentralDb: no host');
    this.options = options;
    this.pools = options.hosts.map(() => null);
  }

  get timeoutMs(): number {
    return this.options.queryTimeoutMs;
  }

  /** host:port the pool delivers to now. */
  get node(): string {
    return hostLabel(this.options.hosts[this.current]!);
  }

  /** How many times the pool moved to another host. */
  get failovers(): number {
    return this.moves;
  }

  /**
   * Runs `fn` on one pooled connection. On success the connection goes back to the pool;
   * on any error (or abort) it is destroyed.
   */
  async withSession<T>(fn: (s: Session) => Promise<T>, signal?: AbortSignal): Promise<T> {
    let lastErr: unknown;
    for (let tried = 0; tried < this.options.hosts.length; tried++) {
      signal?.throwIfAborted();
      const at = this.current;
      let conn: PoolConnection | undefined;
      let session: Session;
      try {
        conn = await abortable(this.poolAt(at).getConnection(), signal, { onLate: (c) => c.destroy() });
        session = await this.session(conn, at, signal);
      } catch (err) {
        conn?.destroy();
        if (signal?.aborted || !nodeFailure(err)) throw err;
        lastErr = err;
        this.moveOn(at, err);
        continue;
      }
      try {
        const result = await fn(session);
        conn.release();
        return result;
      } catch (err) {
        conn.destroy();
        if (!signal?.aborted && nodeFailure(err)) this.moveOn(at, err);
        throw err;
      }
    }
    throw lastErr;
  }

  /** `fn` inside START TRANSACTION … COMMIT, each sent as a query with the timeout. */
  transaction<T>(fn: (s: Session) => Promise<T>, signal?: AbortSignal): Promise<T> {
    return this.withSession(async (s) => {
      await s.query('START TRANSACTION');
      const result = await fn(s);
      await s.query('COMMIT');
      return result;
    }, signal);
  }

  private poolAt(i: number): Pool {
    const existing = this.pools[i];
    if (existing) return existing;
    const created = createPool(this.options, this.options.hosts[i]!);
    this.pools[i] = created;
    return created;
  }

  /** Leaves host `at` for the next one (unless a concurrent session already did). */
  private moveOn(at: number, err: unknown): void {
    if (this.current !== at || this.options.hosts.length === 1) return;
    // The old pool is ended: its idle connections lead to a node that failed, and a session
    // still running there fails over in turn (its batch is retried, idempotently).
    void this.pools[at]?.end().catch(() => undefined);
    this.pools[at] = null;
    this.current = (at + 1) % this.options.hosts.length;
    this.moves++;
    this.options.onFailover?.(hostLabel(this.options.hosts[at]!), this.node, err);
  }

  private async session(conn: PoolConnection, at: number, signal: AbortSignal | undefined): Promise<Session> {
    const timeout = this.options.queryTimeoutMs;
    const query = async <T>(sql: string, values?: unknown): Promise<T> => {
      const [rows] = await abortable(conn.query({ sql, timeout, values: values as QueryValues }), signal, { onAbort: () => conn.destroy() });
      return rows as T;
    };
    const execute = async <T>(sql: string, values: unknown[]): Promise<T> => {
      const [rows] = await abortable(conn.execute({ sql, timeout, values: values }), signal, { onAbort: () => conn.destroy() });
      return rows as T;
    };
    const node = hostLabel(this.options.hosts[at]!);
    const raw = conn as unknown as object;
    let info = this.info.get(raw);
    if (info === undefined) {
      const state = await readNodeState(query);
      if (!usable(state)) throw notReadyError(node, state);
      const galera = state.galera ? ', wsrep_sync_wait = 1' : '';
      await query(`SET SESSION sql_mode = '${SESSION_SQL_MODE}', time_zone = '+00:00'${galera}`);
      const rows = await query<Array<{ p: number | string }>>('SELECT @@max_allowed_packet AS p');
      info = { packet: Number(rows[0]?.p ?? 4 * 1024 * 1024), galera: state.galera, checkedAt: Date.now() };
      this.info.set(raw, info);
    } else if (info.galera && Date.now() - info.checkedAt > READY_RECHECK_MS) {
      const state = await readNodeState(query);
      if (!usable(state)) throw notReadyError(node, state);
      info.checkedAt = Date.now();
    }
    return { query, execute, maxAllowedPacket: info.packet, node };
  }

  async close(): Promise<void> {
    const pools = this.pools.filter((p): p is Pool => p !== null);
    await Promise.all(pools.map((p) => p.end().catch(() => undefined)));
  }
}

function createPool(o: CentralDbOptions, at: CentralHost): Pool {
  const poolOptions: PoolOptions = {
    host: at.host,
    port: at.port,
    user: o.user,
    password: o.password,
    database: o.database,
    connectionLimit: o.poolSize,
    maxIdle: o.poolSize,
    idleTimeout: 60_000,
    waitForConnections: true,
    queueLimit: 0,
    enableKeepAlive: true,
    keepAliveInitialDelay: 10_000,
    connectTimeout: o.connectTimeoutMs,
    timezone: 'Z',
    dateStrings: true,
    charset: 'utf8mb4',
    supportBigNumbers: true,
    multipleStatements: false,
  };
  if (o.tls)
    poolOptions.ssl = {
      rejectUnauthorized: o.tls.rejectUnauthorized,
      ...(o.tls.caFile ? { ca: readFileSync(o.tls.caFile) } : {}),
    };
  const pool = mysql.createPool(poolOptions);
  // Errors on idle pooled connections (server restarted) surface here; the next use
  // reconnects, so there is nothing to do but not crash.
  pool.on('connection', (conn) => conn.on('error', () => undefined));
  return pool;
}
