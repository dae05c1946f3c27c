import { runAgent } from '../agent.js';
import { loadConfig, type LoadedConfig } from '../config/load.js';
import { describeError, isAgentError, type ErrorCode } from '../shared/errors.js';
import { EXIT } from '../shared/exit-codes.js';
import { createLogger } from '../shared/logger.js';
import { reportConfigError } from './check-config.js';
import type { RegisterVerb } from './context.js';
import type { CommandIo } from './io.js';

/** Start-up failures an operator must fix in the config or on the box: systemd must not loop. */
const CONFIG_CODES: readonly ErrorCode[] = ['RSA_MODEL_MISSING', 'RSA_MODEL_LOAD', 'RSA_MODEL_SHAPE', 'RSA_PROVIDER_UNAVAILABLE', 'RSA_CREDENTIALS'];

export async function runCommand(file: string, io: CommandIo, options: { allowConfigWrite?: boolean } = {}): Promise<number> {
  let loaded: LoadedConfig;
  try {
    loaded = loadConfig(file, { env: io.env });
  } catch (err) {
    return reportConfigError(err, io);
  }
  const op = loaded.config.operate;
  const logs = createLogger({ level: op.log_level, file: loaded.logFile, stdout: op.log_stdout });
  try {
    return await runAgent(loaded, { logs, env: io.env, allowConfigWrite: options.allowConfigWrite ?? false });
  } catch (err) {
    const code = isAgentError(err) ? err.code : undefined;
    logs.logger.fatal({ code, err: describeError(err), camera: loaded.config.camera.id }, 'agent could not start');
    logs.flush();
    const text = describeError(err);
    io.err(`roadside-agent: ${code && !text.startsWith(code) ? `${code}: ` : ''}${text}`);
    return code && CONFIG_CODES.includes(code) ? EXIT.CONFIG : EXIT.FAILURE;
  } finally {
    logs.flush();
  }
}

export const registerRun: RegisterVerb = (program, ctx) => {
  program
    .command('run')
    .description('Run the agent for one camera: capture, detect, record violations, deliver them centrally.')
    .requiredOption('-c, --config <file>', 'per-camera config file')
    .option('--allow-config-write', "let the installer page write the zone and minimum sizes into the config file (a backup is kept)")
    .action(async (opts: { config: string; allowConfigWrite?: boolean }) =>
      ctx.exit(await runCommand(opts.config, ctx.io, { allowConfigWrite: opts.allowConfigWrite === true })),
    );
};
