// Bench section 6: backlog drain rates, with and without evidence. bench/drain.ts runs as a
// child (the real queue and flush loop into the local MariaDB); its output is shown as it is
// and the two rates are picked out of its lines for the summary.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './run-agent.js';
import { spawnTracked, stopProcess } from './run-procs.js';
import type { Report } from './run-report.js';
import { fmt } from './run-stats.js';

export async function drain(count: number, { log, goal }: Report): Promise<void> {
  const script = join(ROOT, 'bench/drain.ts');
  log(`== 6. backlog drain (bench/drain.ts ${count}: real queue + flush loop into the local MariaDB)`);
  if (!existsSync(script)) {
    log('   bench/drain.ts is not there yet: skipped');
    goal('drain with evidence', 'n/a', '≥ 200/s', null);
    goal('drain without evidence', 'n/a', '≥ 5,000/s', null);
    return;
  }
  const child = spawnTracked(process.execPath, ['--import', 'tsx', script, String(count)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const timer = setTimeout(() => void stopProcess(child, 3000), 240_000);
  const code = await new Promise<number | null>((res) => child.once('close', res));
  clearTimeout(timer);
  log(out.trimEnd().split('\n').map((l) => `   ${l}`).join('\n'));
  if (code !== 0) log(`   drain exited ${code}`);
  // Its own lines name the two rates; pick them up when they follow "with/without evidence … N/s".
  const rate = (re: RegExp): number => Number(re.exec(out)?.[1]?.replace(/,/g, '') ?? NaN);
  const withEv = rate(/with evidence[^\n]*?([\d,.]+)\s*(?:violations\/s|\/s)/i);
  const without = rate(/without evidence[^\n]*?([\d,.]+)\s*(?:violations\/s|\/s)/i);
  log('');
  goal('drain with evidence', `${fmt(withEv, 0)}/s`, '≥ 200/s', Number.isFinite(withEv) ? withEv >= 200 : null);
  goal('drain without evidence', `${fmt(without, 0)}/s`, '≥ 5,000/s', Number.isFinite(without) ? without >= 5000 : null);
}
