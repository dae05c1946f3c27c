import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import pino from 'pino';
import type { Logger, DestinationStream, StreamEntry } from 'pino';

export type { Logger } from 'pino';

export interface LoggerOptions {
  level: string;
  /** JSON lines are appended here too (one file per camera); null for stdout only. */
  file: string | null;
  /** Write JSON to stdout as well (journald picks it up). */
  stdout: boolean;
  /** Bound into every line. */
  base?: Record<string, unknown>;
}

export interface AgentLogger {
  logger: Logger;
  /** Reopens the log file after logrotate moved it (SIGHUP). */
  reopen(): void;
  /** Flushes buffered lines synchronously; call before exit. */
  flush(): void;
}

/** Keys that never reach a log line with their value. */
export const REDACT_PATHS = [
  'password',
  '*.password',
  'config.central.password',
  'headers.authorization',
];

export function createLogger(options: LoggerOptions): AgentLogger {
  const streams: StreamEntry[] = [];
  let fileStream: (DestinationStream & { reopen?: () => void; flushSync?: () => void }) | null = null;
  if (options.file) {
    mkdirSync(dirname(options.file), { recursive: true });
    fileStream = pino.destination({ dest: options.file, append: true, mkdir: true, sync: false });
    streams.push({ level: 'trace', stream: fileStream });
  }
  if (options.stdout) streams.push({ level: 'trace', stream: pino.destination({ dest: 1, sync: false }) });
  const logger = pino(
    {
      level: options.level,
      base: { pid: process.pid, ...options.base },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: '***' },
      formatters: { level: (label) => ({ level: label }) },
    },
    pino.multistream(streams.length > 0 ? streams : [{ level: 'trace', stream: pino.destination({ dest: 1, sync: false }) }]),
  );
  return {
    logger,
    reopen: () => fileStream?.reopen?.(),
    flush: () => {
      for (const s of streams) {
        // A destination still opening its file (stopped right after start) cannot flush yet;
        // its lines are written once it opens.
        const stream = s.stream as { flushSync?: () => void; fd?: number };
        if (typeof stream.fd === 'number' && stream.fd < 0) continue;
        try {
          stream.flushSync?.();
        } catch {
          // best effort on the way out: never turn a clean stop into a crash
        }
      }
    },
  };
}

/** A logger that drops everything; for unit tests and library use. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
