import type { RegisterVerb } from './context.js';
import { notImplemented } from './not-implemented.js';

export const registerDb: RegisterVerb = (program, ctx) => {
  const db = program.command('db').description('Central database administration.');
  db.command('migrate')
    .description('Create or upgrade the central schema (idempotent).')
    .requiredOption('-c, --config <file>', 'per-camera config file (its central section is used)')
    .action(() => ctx.exit(notImplemented('db migrate', ctx.io)));
};
