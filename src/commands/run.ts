import type { RegisterVerb } from './context.js';
import { notImplemented } from './not-implemented.js';

export const registerRun: RegisterVerb = (program, ctx) => {
  program
    .command('run')
    .description('Run the agent for one camera: capture, detect, record violations, deliver them centrally.')
    .requiredOption('-c, --config <file>', 'per-camera config file')
    .action(() => ctx.exit(notImplemented('run', ctx.io)));
};
