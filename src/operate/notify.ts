/**
 * sd_notify(3) without libsystemd: datagrams to the Unix socket named by $NOTIFY_SOCKET,
 * sent by `unix-dgram` from the main process itself, so `NotifyAccess=main` accepts them
 * (a `systemd-notify` child would be refused: its PID is not the main PID).
 *
 * Invariants: nothing here throws into the caller (a failed notification is logged, never
 * fatal); without $NOTIFY_SOCKET every call is a no-op; the native addon is loaded only
 * when there is a socket to talk to.
 */
import { createRequire } from 'node:module';
import type { UnixDgramSocket, createSocket as CreateSocket } from 'unix-dgram';
import type { Logger } from '../shared/logger.js';

export type NotifyAddress =
  | { kind: 'path'; path: string }
  /** Linux abstract namespace: `@name` in $NOTIFY_SOCKET, `\0name` on the wire. */
  | { kind: 'abstract'; name: string };

/** Reads $NOTIFY_SOCKET; null when unset or empty (not started by systemd with Type=notify). */
export function parseNotifySocket(env: NodeJS.ProcessEnv): NotifyAddress | null {
  const value = env.NOTIFY_SOCKET;
  if (!value) return null;
  if (value.startsWith('@')) return { kind: 'abstract', name: value.slice(1) };
  if (value.startsWith('/')) return { kind: 'path', path: value };
  return null; // vsock: addresses (systemd 253+) and relative paths are not for us
}

/** One datagram's text: `KEY=value` lines; values must not contain a newline. */
export function formatNotifyMessage(fields: Record<string, string | number>): string {
  return Object.entries(fields)
    .map(([key, value]) => `${key}=${String(value).replace(/\r?\n/g, ' ')}`)
    .join('\n');
}

/** Where datagrams go; the real one wraps unix-dgram, tests may pass a fake. */
export interface NotifyTransport {
  send(message: string): Promise<void>;
  close(): void;
}

export interface Notifier {
  /** False when there is no $NOTIFY_SOCKET (or it cannot be used): every call is a no-op. */
  readonly enabled: boolean;
  /** Why notifications are off, for one log line at start-up. */
  readonly reason: string;
  /** READY=1, with an optional STATUS= line. Send once the pipeline is up. */
  ready(status?: string): Promise<void>;
  /** STATUS=… shown by `systemctl status`. */
  status(text: string): Promise<void>;
  /** WATCHDOG=1: only from the watchdog pinger, which checks liveness first. */
  watchdog(): Promise<void>;
  /** STOPPING=1, with an optional STATUS= line. */
  stopping(status?: string): Promise<void>;
  /** EXTEND_TIMEOUT_USEC: asks systemd for this much more time for the current start/stop. */
  extendTimeout(ms: number): Promise<void>;
  /** Any set of fields in one datagram. */
  send(fields: Record<string, string | number>): Promise<void>;
  close(): void;
}

export interface NotifierOptions {
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
  /** Replaces the unix-dgram transport (tests). */
  transport?: NotifyTransport;
}

const require = createRequire(import.meta.url);

/**
 * unix-dgram copies the address with strncpy() and always passes sizeof(sockaddr_un), so it
 * cannot reach an abstract socket (leading NUL, exact length): such an address is reported
 * as unusable instead of silently sending into the void.
 */
export function unixDgramTransport(address: NotifyAddress): NotifyTransport {
  if (address.kind === 'abstract')
    throw new Error(`abstract NOTIFY_SOCKET @${address.name} cannot be addressed with unix-dgram; use a path socket`);
  const { createSocket } = require('unix-dgram') as { createSocket: typeof CreateSocket };
  const socket: UnixDgramSocket = createSocket('unix_dgram');
  // Errors also arrive through the send callback; without a listener an 'error' event would throw.
  socket.on('error', () => undefined);
  let open = true;
  return {
    send(message) {
      if (!open) return Promise.resolve();
      const buf = Buffer.from(message, 'utf8');
      return new Promise((resolve, reject) => {
        socket.send(buf, 0, buf.length, address.path, (err) => (err ? reject(err) : resolve()));
      });
    },
    close() {
      if (!open) return;
      open = false;
      socket.close();
    },
  };
}

function disabled(reason: string): Notifier {
  const none = () => Promise.resolve();
  return { enabled: false, reason, ready: none, status: none, watchdog: none, stopping: none, extendTimeout: none, send: none, close: () => undefined };
}

export function createNotifier(options: NotifierOptions = {}): Notifier {
  const env = options.env ?? process.env;
  const log = options.logger;
  const address = parseNotifySocket(env);
  if (!address && !options.transport) return disabled(env.NOTIFY_SOCKET ? `unsupported NOTIFY_SOCKET ${env.NOTIFY_SOCKET}` : 'NOTIFY_SOCKET is not set');
  let transport: NotifyTransport;
  try {
    transport = options.transport ?? unixDgramTransport(address!);
  } catch (err) {
    const reason = (err as Error).message;
    log?.warn({ stage: 'operate', notify_socket: env.NOTIFY_SOCKET }, `sd_notify disabled: ${reason}`);
    return disabled(reason);
  }
  let failures = 0;
  const send = async (fields: Record<string, string | number>): Promise<void> => {
    try {
      await transport.send(formatNotifyMessage(fields));
      if (failures > 0) log?.info({ stage: 'operate', failures }, 'sd_notify works again');
      failures = 0;
    } catch (err) {
      // Once at warn, then quietly: a missing socket must not flood the log every 15 s.
      if (failures === 0) log?.warn({ stage: 'operate', err, notify_socket: env.NOTIFY_SOCKET }, 'sd_notify failed');
      failures += 1;
    }
  };
  const withStatus = (fields: Record<string, string | number>, status?: string) => (status === undefined ? fields : { ...fields, STATUS: status });
  return {
    enabled: true,
    reason: `NOTIFY_SOCKET=${env.NOTIFY_SOCKET ?? '(injected transport)'}`,
    ready: (status) => send(withStatus({ READY: 1 }, status)),
    status: (text) => send({ STATUS: text }),
    watchdog: () => send({ WATCHDOG: 1 }),
    stopping: (status) => send(withStatus({ STOPPING: 1 }, status)),
    extendTimeout: (ms) => send({ EXTEND_TIMEOUT_USEC: Math.max(0, Math.round(ms * 1000)) }),
    send,
    close: () => transport.close(),
  };
}
