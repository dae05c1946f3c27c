import type { RegisterVerb } from './context.js';
import { notImplemented } from './not-implemented.js';

export const registerReplay: RegisterVerb = (program, ctx) => {
  program
    .command('replay')
    .description('Run a video file through the whole pipeline as fast as possible, printing each violation as a JSON line.')
    .argument('<video>', 'video file')
    .requiredOption('-c, --config <file>', 'per-camera config file')
    .action(() => ctx.exit(notImplemented('replay', ctx.io)));
};
