import { existsSync, mkdirSync } from 'node:fs';
import { loadConfig } from '../config/load.js';
import { Queue } from '../queue/queue.js';
import { describeError } from '../shared/errors.js';
import { EXIT } from '../shared/exit-codes.js';
import { silentLogger } from '../shared/logger.js';
import { reportConfigError } from './check-config.js';
import type { CommandIo } from './io.js';

/**
 * `queue salvage FILE --config CAM`: reads every record it can from a damaged queue file (e.g.
 * a `<camera>.sqlite.corrupt-*` the agent set aside) into the camera's queue, where the running
 * agent delivers them. Needs no sqlite3 CLI; FILE is only read, never changed.
 */
export function queueSalvageCommand(damaged: string, opts: { config: string; json?: boolean }, io: CommandIo): number {
  let loaded;
  try {
    loaded = loadConfig(opts.config, { env: io.env });
  } catch (err) {
    return reportConfigError(err, io);
  }
  if (!existsSync(damaged)) {
    io.err(`queue salvage: no such file: ${damaged}`);
    return EXIT.USAGE;
  }
  let q: Queue;
  try {
    mkdirSync(loaded.stateDir, { recursive: true });
    q = Queue.open({ file: loaded.queueFile, maxBytes: loaded.config.queue.max_bytes, logger: silentLogger(), reserveBytes: 0 });
  } catch (err) {
    io.err(`queue salvage: ${describeError(err)}`);
    return EXIT.FAILURE;
  }
  try {
    const c = q.salvage(damaged);
    if (opts.json) io.out(JSON.stringify({ from: damaged, into: loaded.queueFile, ...c }));
    else {
      io.out(`salvaged from ${damaged} into ${loaded.queueFile}:`);
      io.out(`  records        ${c.salvaged} (${c.alreadyThere} of them were already there)`);
      io.out(`  unreadable     ${c.unreadable} row(s)`);
      io.out(`  images         ${c.imagesSalvaged} salvaged, ${c.imagesLost} lost (unreadable or failing their sha256)`);
      io.out(`${damaged} was only read; delete it once you no longer need it`);
    }
    return EXIT.OK;
  } catch (err) {
    io.err(`queue salvage: ${damaged}: ${describeError(err)}`);
    return EXIT.FAILURE;
  } finally {
    q.close();
  }
}
