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
import { readFileSync } from 'node:fs';
import mysql from 'mysql2/promise';
import type { Pool, PoolConnection, PoolOptions, QueryValues } from 'mysql2/promise';
import type { CentralConfig } from '../config/schema.js';

export const SESSION_SQL_MODE = 'STRICT_ALL_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION';

export interface CentralDbOptions {
  host: string;
  port: number;
  user: string;
  password: string | undefined;
  database: string | undefined;
  poolSize: number;
  connectTimeoutMs: number;
  queryTimeoutMs: number;
  tls?: { caFile?: string | undefined; rejectUnauthorized: boolean } | undefined;
}

export function centralDbOptions(c: CentralConfig, password: string | undefined): CentralDbOptions {
  return {
    host: c.host,
    port: c.port,
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
}

export class CentralDb {
  private readonly pool: Pool;
  private readonly options: CentralDbOptions;
  private readonly packetOf = new WeakMap<object, number>();

  constructor(options: CentralDbOptions) {
    this.options = options;
    const poolOptions: PoolOptions = {
      host: options.host,
      port: options.port,
      user: options.user,
      password: options.password,
      database: options.database,
      connectionLimit: options.poolSize,
      maxIdle: options.poolSize,
      idleTimeout: 60_000,
      waitForConnections: true,
      queueLimit: 0,
      enableKeepAlive: true,
      keepAliveInitialDelay: 10_000,
      connectTimeout: options.connectTimeoutMs,
      timezone: 'Z',
      dateStrings: true,
      charset: 'utf8mb4',
      supportBigNumbers: true,
      multipleStatements: false,
    };
    if (options.tls)
      poolOptions.ssl = {
        rejectUnauthorized: options.tls.rejectUnauthorized,
        ...(options.tls.caFile ? { ca: readFileSync(options.tls.caFile) } : {}),
      };
    this.pool = mysql.createPool(poolOptions);
    // Errors on idle pooled connections (server restarted) surface here; the next use
    // reconnects, so there is nothing to do but not crash.
    this.pool.on('connection', (conn) => conn.on('error', () => undefined));
  }

  get timeoutMs(): number {
    return this.options.queryTimeoutMs;
  }

  /**
   * Runs `fn` on one pooled connection. On success the connection goes back to the pool;
   * on any error (or abort) it is destroyed.
   */
  async withSession<T>(fn: (s: Session) => Promise<T>, signal?: AbortSignal): Promise<T> {
    signal?.throwIfAborted();
    const conn = await abortable(this.pool.getConnection(), signal, { onLate: (c) => c.destroy() });
    try {
      const session = await this.session(conn, signal);
      const result = await fn(session);
      conn.release();
      return result;
    } catch (err) {
      conn.destroy();
      throw err;
    }
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

  private async session(conn: PoolConnection, signal: AbortSignal | undefined): Promise<Session> {
    const timeout = this.options.queryTimeoutMs;
    const query = async <T>(sql: string, values?: unknown): Promise<T> => {
      const [rows] = await abortable(conn.query({ sql, timeout, values: values as QueryValues }), signal, { onAbort: () => conn.destroy() });
      return rows as T;
    };
    const execute = async <T>(sql: string, values: unknown[]): Promise<T> => {
      const [rows] = await abortable(conn.execute({ sql, timeout, values: values }), signal, { onAbort: () => conn.destroy() });
      return rows as T;
    };
    const raw = conn as unknown as object;
    let packet = this.packetOf.get(raw);
    if (packet === undefined) {
      await query(`SET SESSION sql_mode = '${SESSION_SQL_MODE}', time_zone = '+00:00'`);
      const rows = await query<Array<{ p: number | string }>>('SELECT @@max_allowed_packet AS p');
      packet = Number(rows[0]?.p ?? 4 * 1024 * 1024);
      this.packetOf.set(raw, packet);
    }
    return { query, execute, maxAllowedPacket: packet };
  }

  async close(): Promise<void> {
    await this.pool.end().catch(() => undefined);
  }
}

/**
 * Resolves with `p`, or rejects with the signal's reason when it aborts first. `onAbort` runs
 * at the abort (e.g. destroy the connection a query waits on); `onLate` gets a value that
 * arrives after it (e.g. a connection to destroy).
 */
function abortable<T>(
  p: Promise<T>,
  signal: AbortSignal | undefined,
  hooks: { onAbort?: () => void; onLate?: (late: T) => void },
): Promise<T> {
  if (!signal) return p;
  return new Promise<T>((resolve, reject) => {
    let done = false;
    const abort = (): void => {
      if (done) return;
      done = true;
      hooks.onAbort?.();
      reject(signal.reason as Error);
    };
    if (signal.aborted) abort();
    else signal.addEventListener('abort', abort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', abort);
        if (done) hooks.onLate?.(v);
        else {
          done = true;
          resolve(v);
        }
      },
      (err: unknown) => {
        signal.removeEventListener('abort', abort);
        if (!done) {
          done = true;
          reject(asError(err));
        }
      },
    );
  });
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
