import { Command, CommanderError } from 'commander';
import { registerBench } from './commands/bench.js';
import { registerCheckConfig } from './commands/check-config-verb.js';
import type { CliContext } from './commands/context.js';
import { registerDb } from './commands/db.js';
import { registerDetect } from './commands/detect.js';
import { processIo, type CommandIo } from './commands/io.js';
import { registerLogs } from './commands/logs.js';
import { registerQueue } from './commands/queue.js';
import { registerReplay } from './commands/replay.js';
import { registerRun } from './commands/run.js';
import { EXIT } from './shared/exit-codes.js';
import { agentVersion } from './shared/version.js';

const VERBS = [registerRun, registerCheckConfig, registerDb, registerQueue, registerLogs, registerReplay, registerDetect, registerBench];

/** argv → verb → exit code. Nothing is created before a verb runs. */
export async function main(argv: string[], io: CommandIo = processIo): Promise<number> {
  let code: number = EXIT.OK;
  const ctx: CliContext = { io, exit: (c) => (code = c) };
  const program = new Command('roadside-agent')
    .description('Edge camera agent: helmet violations with plates, stored on the box, delivered to central MySQL.')
    .version(agentVersion(), '-V, --version')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });
  for (const register of VERBS) register(program, ctx);
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    }
    throw err;
  }
  return code;
}
