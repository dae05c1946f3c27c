import { EXIT } from '../shared/exit-codes.js';
import { parseLevel, parseSince, resolveLogFile, tailLog, type LogFilter } from '../operate/logs.js';
import type { RegisterVerb } from './context.js';

interface LogsOptions {
  follow?: boolean;
  level?: string;
  stage?: string;
  since?: string;
  lines?: string;
}

export const registerLogs: RegisterVerb = (program, ctx) => {
  program
    .command('logs')
    .description("Show a camera's log file in readable form ($LOGS_DIRECTORY or /var/log/roadside-agent/<camera>.log).")
    .argument('<camera>', 'camera id, or a log file path')
    .option('-f, --follow', 'keep printing new lines (survives logrotate)')
    .option('--level <level>', 'minimum level: trace, debug, info, warn, error, fatal')
    .option('--stage <stage>', 'only this stage (capture, detect, rules, queue, flush, operate, ...)')
    .option('--since <time>', 'only entries from this time on: 2024-05-01T10:00 or a duration back, e.g. 15m, 2h')
    .option('-n, --lines <n>', 'only the last N matching entries (default: all, or 10 with --follow)')
    .action(async (camera: string, opts: LogsOptions) => {
      const file = resolveLogFile(camera, ctx.io.env);
      const filter: LogFilter = {};
      let lines: number | undefined;
      try {
        if (opts.level) filter.minLevel = parseLevel(opts.level);
        if (opts.stage) filter.stage = opts.stage;
        if (opts.since) filter.since = parseSince(opts.since, Date.now());
        if (opts.lines !== undefined) {
          lines = Number(opts.lines);
          if (!Number.isInteger(lines) || lines < 0) throw new Error(`--lines: expected a whole number, got "${opts.lines}"`);
        }
      } catch (err) {
        ctx.io.err(`roadside-agent logs: ${(err as Error).message}`);
        return ctx.exit(EXIT.USAGE);
      }
      const controller = new AbortController();
      const stop = () => controller.abort();
      if (opts.follow) {
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      }
      try {
        await tailLog({ file, follow: Boolean(opts.follow), filter, out: ctx.io.out, lines, signal: controller.signal });
        ctx.exit(EXIT.OK);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        ctx.io.err(
          code === 'ENOENT'
            ? `roadside-agent logs: no log file ${file} (is the camera id right? set LOGS_DIRECTORY or pass a path)`
            : `roadside-agent logs: cannot read ${file}: ${(err as Error).message}`,
        );
        ctx.exit(EXIT.FAILURE);
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      }
    });
};
