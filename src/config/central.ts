import { z } from 'zod';
import { BackoffSchema } from './camera.js';

/** `name`, `name:port`, `[v6]` or `[v6]:port`; a port given here overrides `central.port`. */
const HOST_ENTRY = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(?::\d{1,5})?$/;

export interface CentralHost {
  host: string;
  port: number;
}

export const CentralSchema = z
  .strictObject({
    host: z.string().min(1).optional().describe('MySQL / MariaDB host (one server). Give either `host` or `hosts`.'),
    hosts: z
      .array(
        z
          .string()
          .regex(HOST_ENTRY, 'a host name or address, optionally with ":port"')
          .refine((e) => Number(/:(\d+)$/.exec(e)?.[1] ?? 1) <= 65535, 'port out of range 1..65535'),
      )
      .min(1)
      .max(16)
      .optional()
      .describe(
        'Nodes of a cluster (e.g. Galera), in order of preference: "name" or "name:port". The agent delivers to one node at a time and stays on it; a node that refuses the connection, or that is not ready (wsrep_ready OFF, or not Synced), makes it move to the next one in the list (wrapping round). See docs/central.md.',
      ),
    port: z.number().int().min(1).max(65535).default(3306).describe('Port of `host`, and of each entry of `hosts` that names none.'),
    user: z.string().min(1),
    database: z.string().min(1).regex(/^[A-Za-z0-9_$]+$/, 'letters, digits, "_" and "$" only'),
    password_env: z
      .string()
      .default('ROADSIDE_MYSQL_PASSWORD')
      .describe('Environment variable holding the password (checked after password_file).'),
    password_file: z
      .string()
      .optional()
      .describe('File holding the password (first line). Default: $CREDENTIALS_DIRECTORY/mysql-password when systemd passes credentials. Must not be world-readable.'),
    tls: z
      .strictObject({
        enabled: z.boolean().default(false),
        ca_file: z.string().optional().describe('PEM file of the CA that signed the server certificate.'),
        reject_unauthorized: z.boolean().default(true),
      })
      .prefault({}),
    pool_size: z.number().int().min(1).max(10).default(2).describe('Connections; an edge box needs one or two.'),
    connect_timeout_ms: z.number().int().min(100).max(120_000).default(10_000),
    query_timeout_ms: z.number().int().min(100).max(600_000).default(30_000),
    batch_size: z.number().int().min(1).max(5000).default(200).describe('Violations per transaction.'),
    batch_max_bytes: z
      .number()
      .int()
      .min(100_000)
      .max(512_000_000)
      .default(32_000_000)
      .describe('About this many stored bytes (metadata + evidence JPEGs) per transaction; a batch ends at batch_size or here, whichever comes first.'),
    flush_interval_ms: z.number().int().min(50).max(600_000).default(1000).describe('Idle pause between flushes when the queue is empty.'),
    heartbeat_interval_s: z.number().int().min(5).max(3600).default(60).describe('How often the cameras row is updated.'),
    retry: BackoffSchema.prefault({ initial_s: 1, max_s: 60 }),
    drain_deadline_s: z.number().positive().max(120).default(10).describe('On shutdown: the last flush gives up after this long (records stay queued).'),
  })
  .refine((c) => (c.host === undefined) !== (c.hosts === undefined), {
    message: 'give either central.host (one server) or central.hosts (a cluster), not both and not neither',
    path: ['hosts'],
  })
  .describe('The central database violations are delivered to.');

/** The servers to deliver to, in order of preference. */
export function centralHosts(c: { host?: string | undefined; hosts?: string[] | undefined; port: number }): CentralHost[] {
  return (c.hosts ?? [c.host ?? '']).map((entry) => {
    const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(entry);
    const host = (m?.[1] ?? entry).replace(/^\[|\]$/g, '');
    return { host, port: m?.[2] ? Number(m[2]) : c.port };
  });
}

/** `user@host:port[,host:port…]/database`, for messages. */
export function centralWhere(c: { user: string; database: string; host?: string | undefined; hosts?: string[] | undefined; port: number }): string {
  return `${c.user}@${centralHosts(c).map(hostLabel).join(',')}/${c.database}`;
}

export function hostLabel(h: CentralHost): string {
  return h.host.includes(':') ? `[${h.host}]:${h.port}` : `${h.host}:${h.port}`;
}
