import { centralWhere } from '../config/central.js';
import { readPassword } from '../config/credentials.js';
import { loadConfig } from '../config/load.js';
import { CentralDb, centralDbOptions } from '../flush/central-db.js';
import { migrateCentral } from '../flush/central-schema.js';
import { describeError } from '../shared/errors.js';
import { EXIT } from '../shared/exit-codes.js';
import { reportConfigError } from './check-config.js';
import type { RegisterVerb } from './context.js';
import type { CommandIo } from './io.js';

/** `db migrate`: creates or upgrades the central schema; safe to run again. */
export async function dbMigrateCommand(file: string, io: CommandIo): Promise<number> {
  let central;
  let password;
  try {
    central = loadConfig(file, { env: io.env }).config.central;
    password = readPassword(central, io.env).password;
  } catch (err) {
    return reportConfigError(err, io);
  }
  const where = centralWhere(central);
  const db = new CentralDb(centralDbOptions(central, password));
  try {
    const r = await db.withSession((s) => migrateCentral(s));
    if (r.applied.length === 0) io.out(`central schema at ${where} is up to date (version ${r.to})`);
    else {
      io.out(`central schema at ${where}: version ${r.from} → ${r.to}`);
      for (const m of r.applied) io.out(`  applied ${m}`);
    }
    return EXIT.OK;
  } catch (err) {
    io.err(`db migrate: ${where}: ${describeError(err)} (RSA_CENTRAL_UNREACHABLE)`);
    io.err('  the migrating user needs CREATE, ALTER, INDEX, INSERT, SELECT on the database (see docs/central.md)');
    return EXIT.UNAVAILABLE;
  } finally {
    await db.close();
  }
}

export const registerDb: RegisterVerb = (program, ctx) => {
  const db = program.command('db').description('Central database administration.');
  db.command('migrate')
    .description('Create or upgrade the central schema (idempotent).')
    .requiredOption('-c, --config <file>', 'per-camera config file (its central section is used)')
    .action(async (opts: { config: string }) => ctx.exit(await dbMigrateCommand(opts.config, ctx.io)));
};
