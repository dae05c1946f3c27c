// central.hosts without a cluster: a host that refuses connections is skipped for the next one
// (the shared MariaDB), the pool stays there, and says so. Runs wherever the shared server does.
import { describe, expect, it } from 'vitest';
import { CentralSchema } from '../../src/config/central.js';
import { CentralDb, centralDbOptions } from '../../src/flush/central-db.js';
import { canConnect, freePort, SHARED_HOST, SHARED_PORT, skipNotice } from '../helpers/mariadb.js';

const skip = skipNotice('central.hosts failover', await canConnect(), `no MariaDB on ${SHARED_HOST}:${SHARED_PORT}`);

describe.skipIf(skip)('central.hosts', () => {
  it('moves past a host that refuses the connection within one call, and stays on the host that works', async () => {
    const dead = `127.0.0.1:${await freePort()}`;
    const alive = `${SHARED_HOST}:${SHARED_PORT}`;
    const moves: string[] = [];
    const central = CentralSchema.parse({ hosts: [dead, alive], user: 'root', database: 'test', connect_timeout_ms: 2000 });
    const db = new CentralDb({ ...centralDbOptions(central, undefined), onFailover: (from, to, err) => moves.push(`${from} → ${to} (${(err as { code?: string }).code})`) });
    try {
      expect(db.node).toBe(dead);
      const seen = await db.withSession(async (s) => ({ node: s.node, one: await s.query<Array<{ one: number }>>('SELECT 1 AS one') }));
      expect(seen).toEqual({ node: alive, one: [{ one: 1 }] });
      await db.withSession((s) => s.query('SELECT 1'));
      expect(db.node).toBe(alive);
      expect(db.failovers).toBe(1);
      expect(moves).toEqual([`${dead} → ${alive} (ECONNREFUSED)`]);
    } finally {
      await db.close();
    }
  });

  it('gives the last error to the caller when no host answers', async () => {
    const hosts = [`127.0.0.1:${await freePort()}`, `127.0.0.1:${await freePort()}`];
    const db = new CentralDb(centralDbOptions(CentralSchema.parse({ hosts, user: 'root', database: 'test', connect_timeout_ms: 2000 }), undefined));
    try {
      await expect(db.withSession((s) => s.query('SELECT 1'))).rejects.toMatchObject({ code: 'ECONNREFUSED' });
      expect(db.failovers).toBe(2);
    } finally {
      await db.close();
    }
  });
});
