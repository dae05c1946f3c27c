import type { RegisterVerb } from './context.js';
import { notImplemented } from './not-implemented.js';

export const registerBench: RegisterVerb = (program, ctx) => {
  program
    .command('bench')
    .description('Measure each stage alone and the whole pipeline on a video file.')
    .requiredOption('-c, --config <file>', 'per-camera config file')
    .action(() => ctx.exit(notImplemented('bench', ctx.io)));
};
