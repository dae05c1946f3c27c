// `roadside-agent db migrate` against a private database on the shared MariaDB.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { CENTRAL_SCHEMA_VERSION } from '../../src/flush/central-schema.js';
import { repoRoot } from '../helpers/env.js';
import { canConnect, createTestDatabase, skipNotice, type TestDatabase } from '../helpers/mariadb.js';

const skip = skipNotice('db migrate against MariaDB', await canConnect(), 'no MariaDB on 127.0.0.1:3306');

describe.skipIf(skip)('roadside-agent db migrate', () => {
  let tdb: TestDatabase;
  let dir: string;
  let configFile: string;
  beforeAll(async () => {
    tdb = await createTestDatabase();
    dir = mkdtempSync(join(tmpdir(), 'rsa-migrate-'));
    const config = JSON.parse(readFileSync(join(repoRoot, 'config.json'), 'utf8'));
    config.central.database = tdb.name;
    config.operate.log_file = null;
    configFile = join(dir, 'cam.json');
    writeFileSync(configFile, JSON.stringify(config));
  });
  afterAll(async () => {
    await tdb?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const run = async (args: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(['node', 'x', ...args], { out: (l) => out.push(l), err: (l) => err.push(l), env: {} });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };

  it('creates the schema, then finds it up to date', async () => {
    const first = await run(['db', 'migrate', '--config', configFile]);
    expect(first).toMatchObject({ code: 0 });
    expect(first.out).toMatch(new RegExp(`version 0 → ${CENTRAL_SCHEMA_VERSION}`));
    const tables = await tdb.query<Array<Record<string, string>>>('SHOW TABLES');
    expect(tables.map((t) => Object.values(t)[0]).sort()).toEqual(['cameras', 'schema_migrations', 'violation_evidence', 'violations']);
    const second = await run(['db', 'migrate', '--config', configFile]);
    expect(second).toMatchObject({ code: 0 });
    expect(second.out).toMatch(new RegExp(`up to date \\(version ${CENTRAL_SCHEMA_VERSION}\\)`));
  });

  it('exits 69 with the reason when the server cannot be reached', async () => {
    const config = JSON.parse(readFileSync(configFile, 'utf8'));
    config.central.port = 1; // nothing listens there
    config.central.connect_timeout_ms = 1000;
    writeFileSync(configFile + '.bad.json', JSON.stringify(config));
    const r = await run(['db', 'migrate', '--config', configFile + '.bad.json']);
    expect(r.code).toBe(69);
    expect(r.err).toMatch(/ECONNREFUSED/);
  });
});
