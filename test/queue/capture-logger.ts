// A pino logger whose lines land in an array, for asserting on what was logged.
import { Writable } from 'node:stream';
import pino from 'pino';
import type { Logger } from '../../src/shared/logger.js';

export interface LogLine {
  level: string;
  msg: string;
  [key: string]: unknown;
}

export function captureLogger(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l) as LogLine);
      cb();
    },
  });
  const logger = pino({ level: 'trace', formatters: { level: (label) => ({ level: label }) } }, pino.multistream([{ level: 'trace', stream }]));
  return { logger, lines };
}
