import { existsSync } from 'node:fs';
import { loadConfig } from '../config/load.js';
import { Queue } from '../queue/queue.js';
import { describeError } from '../shared/errors.js';
import { EXIT } from '../shared/exit-codes.js';
import { silentLogger } from '../shared/logger.js';
import { reportConfigError } from './check-config.js';
import { queueSalvageCommand } from './queue-salvage.js';
import type { RegisterVerb } from './context.js';
import type { CommandIo } from './io.js';

export type QueueVerb = 'stats' | 'list' | 'dead' | 'retry-dead';

export interface QueueVerbOptions {
  config: string;
  json?: boolean;
  limit?: string;
  id?: string[];
}

const iso = (ms: number | null): string => (ms === null ? '-' : new Date(ms).toISOString());
const mb = (n: number): string => `${(n / 1e6).toFixed(1)} MB`;

/** `queue stats|list|dead|retry-dead`: reads (and for retry-dead, writes) the camera's queue file. */
export function queueCommand(verb: QueueVerb, opts: QueueVerbOptions, io: CommandIo): number {
  let loaded;
  try {
    loaded = loadConfig(opts.config, { env: io.env });
  } catch (err) {
    return reportConfigError(err, io);
  }
  if (!existsSync(loaded.queueFile)) {
    if (opts.json) io.out(JSON.stringify({ file: loaded.queueFile, exists: false }));
    else io.out(`no queue file at ${loaded.queueFile} (nothing queued yet)`);
    return EXIT.OK;
  }
  let q: Queue;
  try {
    q = Queue.open({ file: loaded.queueFile, maxBytes: loaded.config.queue.max_bytes, logger: silentLogger(), readonlyInspect: true, reserveBytes: 0 });
  } catch (err) {
    io.err(`queue ${verb}: ${describeError(err)}`);
    return EXIT.FAILURE;
  }
  const limit = Math.max(1, Number(opts.limit ?? 50) || 50);
  try {
    switch (verb) {
      case 'stats': {
        const s = q.stats();
        if (opts.json) io.out(JSON.stringify(s));
        else {
          io.out(`queue ${s.file} (schema v${s.schemaVersion})`);
          io.out(`  pending        ${s.pending} (${s.due} due now)`);
          io.out(`  dead letters   ${s.dead}`);
          io.out(`  stored         ${mb(s.bytes)} of ${mb(s.maxBytes)} (file ${mb(s.fileBytes)})`);
          io.out(`  oldest pending ${iso(s.oldestPendingAt)}`);
          io.out(`  next attempt   ${iso(s.nextAttemptAt)}`);
          io.out(`  evidence images dropped by the byte bound so far: ${s.evidenceDroppedTotal}`);
        }
        break;
      }
      case 'list': {
        const rows = q.list(limit);
        if (opts.json) io.out(JSON.stringify(rows));
        else {
          io.out(`${rows.length} pending (oldest first, at most ${limit})`);
          for (const r of rows)
            io.out(
              `  ${r.id}  ${iso(r.createdAt)}  ${r.type}  plate=${r.plate ?? '-'}  attempts=${r.attempts}  next=${iso(r.nextAttemptAt)}` +
                `${r.evidenceDropped ? `  evidence_dropped=${r.evidenceDropped}` : ''}${r.lastError ? `  last_error=${r.lastError}` : ''}`,
            );
        }
        break;
      }
      case 'dead': {
        const rows = q.dead(limit);
        if (opts.json) io.out(JSON.stringify(rows));
        else {
          io.out(`${rows.length} dead letter(s) (at most ${limit}); move them back with: roadside-agent queue retry-dead --config ${opts.config}`);
          for (const r of rows) io.out(`  ${r.id}  ${iso(r.createdAt)}  ${r.type}  plate=${r.plate ?? '-'}  dead_at=${iso(r.deadAt)}  reason=${r.reason}`);
        }
        break;
      }
      case 'retry-dead': {
        const moved = q.retryDead(opts.id && opts.id.length > 0 ? opts.id : undefined);
        if (opts.json) io.out(JSON.stringify({ moved }));
        else io.out(`moved ${moved} dead letter(s) back to the queue; the running agent delivers them on its next flush`);
        break;
      }
    }
    return EXIT.OK;
  } catch (err) {
    io.err(`queue ${verb}: ${describeError(err)}`);
    return EXIT.FAILURE;
  } finally {
    q.close();
  }
}

export const registerQueue: RegisterVerb = (program, ctx) => {
  const queue = program.command('queue').description("Inspect and act on the camera's queue on the box.");
  for (const [name, what] of [
    ['stats', 'counts, bytes and the oldest pending record'],
    ['list', 'pending records'],
    ['dead', 'dead-letter records with their reasons'],
    ['retry-dead', 'move dead-letter records back to the queue'],
  ] as const) {
    const cmd = queue
      .command(name)
      .description(what)
      .requiredOption('-c, --config <file>', 'per-camera config file')
      .option('--json', 'print JSON instead of text');
    if (name === 'list' || name === 'dead') cmd.option('-n, --limit <n>', 'at most this many records', '50');
    if (name === 'retry-dead') cmd.option('--id <ids...>', 'only these violation ids (default: all)');
    cmd.action((opts: QueueVerbOptions) => ctx.exit(queueCommand(name, opts, ctx.io)));
  }
  queue
    .command('salvage')
    .description('read every record that can still be read from a damaged queue file into the camera\'s queue (no sqlite3 CLI needed)')
    .argument('<file>', 'the damaged file, e.g. <camera>.sqlite.corrupt-<time>')
    .requiredOption('-c, --config <file>', 'per-camera config file')
    .option('--json', 'print JSON instead of text')
    .action((file: string, opts: { config: string; json?: boolean }) => ctx.exit(queueSalvageCommand(file, opts, ctx.io)));
};
