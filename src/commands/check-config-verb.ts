import { checkConfigCommand } from './check-config.js';
import type { RegisterVerb } from './context.js';

export const registerCheckConfig: RegisterVerb = (program, ctx) => {
  program
    .command('check-config')
    .description('Validate a config file, then probe what it points at: model files, the camera, MySQL.')
    .argument('<file>', 'per-camera config file')
    .option('--no-probes', 'check the schema only')
    .action(async (file: string, opts: { probes: boolean }) => ctx.exit(await checkConfigCommand(file, opts, ctx.io)));
};
