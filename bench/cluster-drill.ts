// Many agents against one central database, single MariaDB vs a 3-node Galera cluster:
//   npm run drill:cluster [-- --agents 50 --backlog 200 --batch 20 --evidence 2000 --port-base 26200]
// Both targets are private servers started here on 127.0.0.1 (ports from --port-base: single
// MariaDB at base + 90, Galera nodes at base, base + 10, base + 20) and removed at the end.
// The cluster is drained twice: once undisturbed, then with the node the first agent delivers to
// SIGKILLed once 30 % of the backlog is delivered and started again 3 s later (it rejoins by IST
// or SST). Prints a table, then ends
// with `cluster drill: produced N, central N, distinct N, duplicates D, lost L`; exits 1 when any
// figure is wrong (on either target), 2 when the drill could not run (e.g. no galera-4).
import { rmSync } from 'node:fs';
import { drillProblems, runDrill, seedQueues, type DrillOptions, type DrillResult, type KillableNode } from './cluster-drill-run.js';
import { GaleraCluster, galeraMissing } from '../test/helpers/galera.js';
import { PrivateMariadb } from '../test/helpers/mariadb.js';

const args = process.argv.slice(2);
const num = (name: string, dflt: number): number => {
  const i = args.indexOf(`--${name}`);
  const v = i >= 0 ? Number(args[i + 1]) : dflt;
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name}: a positive number, got ${args[i + 1]}`);
  return v;
};
const portBase = num('port-base', 26200);
const options: DrillOptions = {
  agents: num('agents', 50),
  backlog: num('backlog', 200),
  batchSize: num('batch', 20),
  evidenceBytes: num('evidence', 2000),
  killAt: 0.3,
  rejoinAfterMs: 3000,
  spread: !args.includes('--no-spread'),
  timeoutMs: num('timeout-s', 240) * 1000,
  say: (line) => console.log(`  ${line}`),
};

if (galeraMissing) {
  console.error(`cluster drill: cannot run: ${galeraMissing}`);
  process.exit(2);
}
const guard = setTimeout(() => {
  console.error('cluster drill: gave up after 10 minutes');
  process.exit(2);
}, 600_000);
guard.unref();

function single(m: PrivateMariadb): KillableNode {
  return {
    label: `127.0.0.1:${m.port}`,
    endpoint: m.endpoint,
    running: true,
    kill: (signal) => m.stop(signal),
    rejoin: () => m.start(),
  };
}

const results: DrillResult[] = [];
let code = 0;
const t0 = Date.now();
const seed = seedQueues(options);
console.log(`  ${options.agents} queue files × ${options.backlog} violations (${(3 * options.evidenceBytes) / 1000} KB evidence each) filled in ${((Date.now() - t0) / 1000).toFixed(1)} s; each run drains a copy`);
const mariadb = await PrivateMariadb.create({ port: portBase + 90 });
try {
  results.push(await runDrill({ label: 'single MariaDB', nodes: [single(mariadb)] }, options, seed));
} finally {
  await mariadb.dispose();
}
const t = Date.now();
const cluster = await GaleraCluster.create({ basePort: portBase, lifetimeMs: 9 * 60_000 });
console.log(`  3-node Galera cluster Synced in ${((Date.now() - t) / 1000).toFixed(1)} s: ${cluster.hosts.join(', ')}`);
try {
  results.push(await runDrill({ label: 'Galera 3 nodes, no kill', nodes: cluster.nodes }, options, seed));
  results.push(await runDrill({ label: 'Galera 3 nodes', nodes: cluster.nodes, victim: cluster.nodes[0] }, options, seed));
} finally {
  await cluster.dispose();
  rmSync(seed.dir, { recursive: true, force: true });
}

const cols: Array<[string, (r: DrillResult) => string]> = [
  ['target', (r) => r.label],
  ['agents', (r) => String(r.agents)],
  ['node kills', (r) => String(r.nodeKills)],
  ['produced', (r) => String(r.produced)],
  ['central', (r) => String(r.central)],
  ['distinct', (r) => String(r.distinct)],
  ['duplicates', (r) => String(r.duplicates)],
  ['lost', (r) => String(r.lost)],
  ['throughput /s', (r) => r.throughput.toFixed(0)],
  ['p95 batch ms', (r) => r.p95BatchMs.toFixed(1)],
  ['batches', (r) => String(r.batches)],
  ['failed attempts', (r) => String(r.failedAttempts)],
  ['failovers', (r) => String(r.failovers)],
  ['failover ms (median / max)', (r) => (r.failoverMs ? `${r.failoverMs[0].toFixed(0)} / ${r.failoverMs[1].toFixed(0)}` : '-')],
];
console.log('');
console.log(`| ${cols.map((c) => c[0]).join(' | ')} |`);
console.log(`|${cols.map(() => '---').join('|')}|`);
for (const r of results) console.log(`| ${cols.map((c) => c[1](r)).join(' | ')} |`);
console.log('');
for (const r of results) {
  const errs = Object.entries(r.errors).map(([k, n]) => `${k} ×${n}`).join(', ') || 'none';
  const moves = Object.entries(r.moves).map(([k, n]) => `${k} ×${n}`).join(', ') || 'none';
  const nodes = Object.entries(r.perNode).map(([k, n]) => `${k} ${n}`).join(', ');
  console.log(`${r.label}: ${r.seconds.toFixed(1)} s; rows per node: ${nodes}; failed attempts by code: ${errs}; moves to another node by cause: ${moves}${r.rejoinMs !== null ? `; killed node Synced again ${(r.rejoinMs / 1000).toFixed(1)} s after its restart` : ''}`);
  const problems = drillProblems(r);
  if (r.label === 'Galera 3 nodes' && r.nodeKills !== 1) problems.push('no node was killed');
  if (problems.length) {
    code = 1;
    console.log(`${r.label}: WRONG: ${problems.join('; ')}`);
  }
}
const c = results.find((r) => r.label === 'Galera 3 nodes')!;
console.log(`cluster drill: produced ${c.produced}, central ${c.central}, distinct ${c.distinct}, duplicates ${c.duplicates}, lost ${c.lost}`);
process.exit(code);
