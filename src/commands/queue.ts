import type { RegisterVerb } from './context.js';
import { notImplemented } from './not-implemented.js';

export const registerQueue: RegisterVerb = (program, ctx) => {
  const queue = program.command('queue').description('Inspect and act on the camera\'s queue on the box.');
  for (const [name, what] of [
    ['stats', 'counts, bytes and the oldest pending record'],
    ['list', 'pending records'],
    ['dead', 'dead-letter records with their reasons'],
    ['retry-dead', 'move dead-letter records back to the queue'],
  ] as const) {
    queue
      .command(name)
      .description(what)
      .requiredOption('-c, --config <file>', 'per-camera config file')
      .action(() => ctx.exit(notImplemented(`queue ${name}`, ctx.io)));
  }
};
