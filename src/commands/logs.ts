import type { RegisterVerb } from './context.js';
import { notImplemented } from './not-implemented.js';

export const registerLogs: RegisterVerb = (program, ctx) => {
  program
    .command('logs')
    .description('Show a camera\'s log file in readable form.')
    .argument('<camera>', 'camera id, or a log file path')
    .option('-f, --follow', 'keep printing new lines')
    .option('--level <level>', 'minimum level')
    .option('--stage <stage>', 'only this stage')
    .action(() => ctx.exit(notImplemented('logs', ctx.io)));
};
