// Fault drill: connections cut by iptables (REJECT, then DROP) while the agent flushes.
// Everything happens inside a network namespace this test creates: a private mariadbd on the
// namespace's loopback, the agent as a child process in the same namespace, and the iptables
// rules in that namespace only. Deleting the namespace removes its rules.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CENTRAL_MIGRATIONS } from '../../src/flush/central-schema.js';
import { Queue } from '../../src/queue/queue.js';
import { silentLogger } from '../../src/shared/logger.js';
import { AgentChild } from '../fixtures/flush-agent-control.js';
import { centralConfigFor, hasMariadbd, PrivateMariadb, skipNotice } from '../helpers/mariadb.js';
import { makeViolations } from '../queue/make-violation.js';

const NS = `rsa_cut_${process.pid}`;
const PORT = 33306;
const PRODUCED = 4000;

function sh(args: string[]): { ok: boolean; err: string } {
  const r = spawnSync(args[0]!, args.slice(1), { encoding: 'utf8', timeout: 10_000 });
  return { ok: r.status === 0, err: r.stderr };
}
const inNs = (...args: string[]) => sh(['ip', 'netns', 'exec', NS, ...args]);

let nsOk = false;
if (hasMariadbd) {
  nsOk = sh(['ip', 'netns', 'add', NS]).ok && inNs('ip', 'link', 'set', 'lo', 'up').ok && inNs('iptables', '-L', 'INPUT', '-n').ok;
  if (!nsOk) sh(['ip', 'netns', 'del', NS]);
}
const skip = skipNotice('network cut drill', hasMariadbd && nsOk, hasMariadbd ? 'network namespaces or iptables not permitted here' : 'mariadbd is not installed');

describe.skipIf(skip)('drill: connections cut by iptables inside a namespace', () => {
  let server: PrivateMariadb | undefined;
  let agent: AgentChild | undefined;
  let dir: string;
  beforeAll(async () => {
    server = await PrivateMariadb.create({ netns: NS, port: PORT });
    server.sql('CREATE DATABASE rsa_drill');
    for (const m of CENTRAL_MIGRATIONS) {
      for (const st of m.statements) server.sql(st, 'rsa_drill');
      for (const c of m.addColumns ?? []) server.sql(`ALTER TABLE ${c.table} ADD COLUMN ${c.column} ${c.definition}`, 'rsa_drill');
    }
    dir = mkdtempSync(join(tmpdir(), 'rsa-cut-'));
  }, 60_000);
  afterAll(async () => {
    await agent?.kill('SIGKILL');
    await server?.dispose();
    sh(['ip', 'netns', 'del', NS]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('delivers every violation exactly once through a REJECT cut and a DROP cut', { timeout: 150_000 }, async () => {
    const queueFile = join(dir, 'q.sqlite');
    const q = Queue.open({ file: queueFile, maxBytes: 4e9, logger: silentLogger(), reserveBytes: 0 });
    for (const v of makeViolations(PRODUCED, { evidenceBytes: 2000 })) q.enqueue(v);
    q.close();
    const central = centralConfigFor(
      { endpoint: { host: '127.0.0.1', port: PORT }, name: 'rsa_drill' },
      {
        batch_size: 25,
        flush_interval_ms: 50,
        connect_timeout_ms: 1500,
        query_timeout_ms: 2000,
        heartbeat_interval_s: 60,
        retry: { initial_s: 0.2, max_s: 1, factor: 2, jitter: 0.2 },
      },
    );
    agent = new AgentChild({ queueFile, central, exitWhenEmpty: true }, { netns: NS });
    const a = agent;
    const cuts: string[] = [];
    for (const target of ['REJECT', 'DROP']) {
      const delivered = a.last()?.delivered ?? 0;
      await a.waitFor((e) => (e.delivered ?? 0) > delivered + 200, 30_000);
      const failed = a.last()?.failedAttempts ?? 0;
      const rule = ['-p', 'tcp', '--dport', String(PORT), '-j', target, ...(target === 'REJECT' ? ['--reject-with', 'tcp-reset'] : [])];
      expect(inNs('iptables', '-A', 'INPUT', ...rule).ok).toBe(true);
      try {
        await a.waitFor((e) => (e.failedAttempts ?? 0) > failed, 20_000);
        await new Promise((r) => setTimeout(r, 2000));
      } finally {
        expect(inNs('iptables', '-D', 'INPUT', ...rule).ok).toBe(true);
      }
      cuts.push(`${target}: ${(a.last()?.failedAttempts ?? 0) - failed} failed attempts`);
    }
    const done = await a.waitFor((e) => e.event === 'done', 90_000);
    await a.exited;

    const count = Number(server!.sql('SELECT COUNT(*) FROM violations', 'rsa_drill'));
    const dups = server!.sql('SELECT event_id FROM violations GROUP BY event_id HAVING COUNT(*) > 1', 'rsa_drill');
    const evidence = Number(server!.sql('SELECT COUNT(*) FROM violation_evidence', 'rsa_drill'));
    console.log(
      `net-cut drill: produced ${PRODUCED}, central ${count}, duplicates ${dups ? dups.split('\n').length : 0}, evidence rows ${evidence}, pending ${String(done.pending)}, dead ${String(done.dead)}; ${cuts.join('; ')}`,
    );
    expect(count).toBe(PRODUCED);
    expect(dups).toBe('');
    expect(evidence).toBe(PRODUCED * 3);
    expect(done).toMatchObject({ pending: 0, dead: 0 });
    expect(done.failedAttempts).toBeGreaterThanOrEqual(2);
  });
});
