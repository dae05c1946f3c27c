import { z } from 'zod';

export const OperateSchema = z
  .strictObject({
    log_file: z
      .string()
      .nullable()
      .optional()
      .describe('JSON log file. Default: $LOGS_DIRECTORY/<camera>.log under systemd, else none (stdout only); null disables it.'),
    log_level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
    log_stdout: z.boolean().default(true).describe('Also write JSON lines to stdout (journald).'),
    health: z
      .strictObject({
        host: z.string().default('127.0.0.1').describe('Listen address of /healthz and /metrics; keep it on loopback.'),
        port: z.number().int().min(0).max(65535).default(9310).describe('Port; 0 disables the endpoint.'),
        max_frame_age_s: z.number().positive().default(30).describe('/healthz reports 503 when the last frame is older than this.'),
      })
      .prefault({}),
  })
  .prefault({})
  .describe('Logs and the health endpoint.');
