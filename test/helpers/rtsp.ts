// Test servers for the capture integration tests: the GStreamer RTSP server fixture
// (test/fixtures/rtsp_server.py, run with Debian's /usr/bin/python3, which has `gi`), a TCP
// server that answers junk, and a look at this process's children to find orphaned ffmpeg.
// Every server listens on 127.0.0.1 on a free port; stop() is safe to call twice.
import { spawn, spawnSync, type ChildProcessByStdio } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { resolve } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { repoRoot } from './env.js';

export const PYTHON = '/usr/bin/python3';
const SCRIPT = resolve(repoRoot, 'test/fixtures/rtsp_server.py');

/** Whether this machine can run the fixture (Debian's python3 with GStreamer's RTSP server). */
export function rtspServerAvailable(): boolean {
  if (!existsSync(PYTHON)) return false;
  const r = spawnSync(PYTHON, ['-c', "import gi; gi.require_version('GstRtspServer', '1.0'); from gi.repository import GstRtspServer"], {
    stdio: 'ignore',
    timeout: 10_000,
  });
  return r.status === 0;
}

export interface RtspServerOptions {
  width?: number;
  height?: number;
  fps?: number;
  user?: string;
  password?: string;
  file?: string;
  /** Reuse a port (restart of a killed server at the same address). */
  port?: number;
}

export interface RtspServer {
  readonly port: number;
  readonly pid: number;
  /** rtsp://[user:password@]127.0.0.1:port/<mount> */
  url(mount: string, credentials?: { user: string; password: string }): string;
  /** Sends a control command (freeze, thaw, resize WxH) and waits for its OK. */
  command(line: string): Promise<void>;
  /** SIGKILL: the server dies mid-stream without a goodbye. */
  kill(): Promise<void>;
  /** SIGTERM (SIGKILL after 2 s); resolves once it has exited. */
  stop(): Promise<void>;
}

export async function startRtspServer(options: RtspServerOptions = {}): Promise<RtspServer> {
  const args = [SCRIPT, '--port', String(options.port ?? 0)];
  if (options.width) args.push('--width', String(options.width));
  if (options.height) args.push('--height', String(options.height));
  if (options.fps) args.push('--fps', String(options.fps));
  if (options.user) args.push('--user', options.user, '--password', options.password ?? '');
  if (options.file) args.push('--file', options.file);
  // stdin stays a pipe: the server quits when it closes, so it never outlives this process.
  const child: ChildProcessByStdio<Writable, Readable, Readable> = spawn(PYTHON, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let exited = false;
  const exit = new Promise<void>((res) => child.once('exit', () => ((exited = true), res())));
  let out = '';
  let err = '';
  const waiters: Array<{ match: (s: string) => boolean; resolve: () => void }> = [];
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => (err = (err + d).slice(-4000)));
  child.stdout.on('data', (d: string) => {
    out += d;
    for (const w of [...waiters]) {
      if (w.match(out)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  });
  const waitFor = (match: (s: string) => boolean, what: string, ms: number): Promise<void> =>
    new Promise<void>((res, rej) => {
      if (match(out)) return res();
      const timer = setTimeout(() => rej(new Error(`RTSP fixture: no "${what}" within ${ms} ms; stderr: ${err}`)), ms);
      const done = (): void => {
        clearTimeout(timer);
        res();
      };
      waiters.push({ match, resolve: done });
      void exit.then(() => {
        clearTimeout(timer);
        rej(new Error(`RTSP fixture exited before "${what}"; stderr: ${err}`));
      });
    });

  const stop = async (signal: NodeJS.Signals): Promise<void> => {
    if (exited) return;
    child.kill(signal);
    const t = setTimeout(() => child.kill('SIGKILL'), 2000);
    await exit;
    clearTimeout(t);
  };
  try {
    await waitFor((s) => /READY port=\d+/.test(s), 'READY', 15_000);
  } catch (e) {
    await stop('SIGKILL');
    throw e;
  }
  const port = Number(/READY port=(\d+)/.exec(out)![1]);
  let commands = 0;
  return {
    port,
    pid: child.pid!,
    url(mount, credentials) {
      const auth = credentials ? `${credentials.user}:${credentials.password}@` : '';
      return `rtsp://${auth}127.0.0.1:${port}/${mount.replace(/^\//, '')}`;
    },
    async command(line) {
      commands++;
      const before = out.split(`OK ${line}`).length - 1;
      child.stdin.write(`${line}\n`);
      await waitFor((s) => s.split(`OK ${line}`).length - 1 > before, `OK ${line} (#${commands})`, 5000);
    },
    kill: () => stop('SIGKILL'),
    stop: () => stop('SIGTERM'),
  };
}

export interface TcpServer {
  readonly port: number;
  /** Connections accepted so far. */
  readonly connections: () => number;
  stop(): Promise<void>;
}

/**
 * A TCP server on 127.0.0.1 that answers every connection with `reply(n)` (n = the connection's
 * number), then closes it unless `hold` is set (a server that hangs after its junk).
 */
export async function startTcpServer(reply: (n: number) => Buffer, options: { hold?: boolean } = {}): Promise<TcpServer> {
  const sockets = new Set<Socket>();
  let count = 0;
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    const n = count++;
    socket.once('data', () => {
      socket.write(reply(n));
      if (!options.hold) socket.end();
    });
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    port: address.port,
    connections: () => count,
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((res) => server.close(() => res()));
    },
  };
}

/** Random bytes that look like nothing: what a broken camera or a wrong port answers. */
export function junk(bytes: number, seed = 1): Buffer {
  const b = Buffer.alloc(bytes);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < bytes; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}

/** Pids of live ffmpeg processes whose parent is this process (orphans of a test, if any remain after it). */
export function ffmpegChildren(parent = process.pid): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const fields = stat.slice(close + 2).split(' ');
    const state = fields[0];
    const ppid = Number(fields[1]);
    if (ppid === parent && comm === 'ffmpeg' && state !== 'Z') out.push(Number(name));
  }
  return out;
}

/** Every ffmpeg child, zombie or not (a zombie is a child whose exit was never collected). */
export function allFfmpegChildren(parent = process.pid): number[] {
  return readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .filter((n) => {
      try {
        const stat = readFileSync(`/proc/${n}/stat`, 'utf8');
        const close = stat.lastIndexOf(')');
        return stat.slice(stat.indexOf('(') + 1, close) === 'ffmpeg' && Number(stat.slice(close + 2).split(' ')[1]) === parent;
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** Polls `check` every 50 ms until it is true; throws after `ms` naming `what`. */
export async function waitUntil(check: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** RGB of pixel (x, y) of a packed RGB24 frame. */
export function pixel(frame: { width: number; data: Uint8Array }, x: number, y: number): [number, number, number] {
  const i = (y * frame.width + x) * 3;
  return [frame.data[i]!, frame.data[i + 1]!, frame.data[i + 2]!];
}

/**
 * True when a frame of videotestsrc's SMPTE bars is whole and aligned: the leftmost bar is
 * grey (r≈g≈b, bright) and the rightmost is blue. A frame cut at the wrong byte, or a picture
 * not scaled to the full frame, fails this.
 */
export function looksLikeSmpteBars(frame: { width: number; height: number; data: Uint8Array }): boolean {
  const y = Math.floor(frame.height * 0.3);
  const [r1, g1, b1] = pixel(frame, Math.floor(frame.width * 0.05), y);
  const [r2, g2, b2] = pixel(frame, Math.floor(frame.width * 0.95), y);
  const grey = r1 > 140 && g1 > 140 && b1 > 140 && Math.abs(r1 - g1) < 40 && Math.abs(g1 - b1) < 40;
  const blue = b2 > 120 && r2 < 80 && g2 < 80;
  return grey && blue;
}
