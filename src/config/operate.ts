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
    ui: z
      .strictObject({
        enabled: z.boolean().default(true).describe('Serve the installer page at /ui/ on the health endpoint (live view, zone drawing, last violations).'),
        token_file: z
          .string()
          .nullable()
          .default(null)
          .describe(
            'File whose first line is the page\'s access token (16+ characters, not world-readable). Default: $CREDENTIALS_DIRECTORY/ui-token when systemd passes it. Required when operate.health.host is not a loopback address.',
          ),
        recent: z.number().int().min(1).max(100).default(12).describe('Violations (with their evidence images) the page keeps in memory to show.'),
        frame_interval_ms: z.number().int().min(200).max(10_000).default(1000).describe('The live view encodes a frame at most this often, and only while a page is open.'),
        jpeg_quality: z.number().int().min(30).max(95).default(70).describe('JPEG quality of the live view frames.'),
      })
      .prefault({})
      .describe('The installer page. Read-only unless the agent runs with --allow-config-write.'),
    watchdog: z
      .strictObject({
        max_event_loop_lag_ms: z
          .number()
          .int()
          .min(100)
          .max(60_000)
          .default(5000)
          .describe('systemd watchdog pings stop while the event loop was blocked longer than this.'),
        max_loop_silence_s: z
          .number()
          .positive()
          .max(3600)
          .default(60)
          .describe('A pipeline loop silent longer than this is stalled: watchdog pings stop and /healthz reports 503.'),
      })
      .prefault({})
      .describe('Liveness checked before each WATCHDOG=1 ping (a camera being down is not a failure).'),
    shutdown_deadline_s: z
      .number()
      .positive()
      .max(300)
      .default(25)
      .describe('Graceful stop (stop capture … last flush) must fit in this; keep it above central.drain_deadline_s and below TimeoutStopSec (45 s in the unit).'),
  })
  .prefault({})
  .describe('Logs, the health endpoint and the installer page.');
