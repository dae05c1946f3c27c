/**
 * `roadside-agent logs`: the camera's pino JSON log in readable lines, with filters, and a
 * follow mode that survives logrotate (the file renamed and replaced, or truncated in place).
 * A small formatter of our own rather than pino-pretty (not a dependency): one line per entry,
 * `time LEVEL [stage] msg key=value…`, an error's stack indented below it.
 */
import { open, stat, type FileHandle } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';

export const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
export type LevelName = (typeof LEVELS)[number];
const LEVEL_NUMBERS: Record<LevelName, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };

/** A camera id names $LOGS_DIRECTORY/<id>.log (or /var/log/roadside-agent/<id>.log); a path is itself. */
export function resolveLogFile(camera: string, env: NodeJS.ProcessEnv, cwd: string = process.cwd()): string {
  if (camera.includes('/') || camera.endsWith('.log')) return isAbsolute(camera) ? camera : resolve(cwd, camera);
  const dir = env.LOGS_DIRECTORY?.split(':')[0] || '/var/log/roadside-agent';
  return join(dir, `${camera}.log`);
}

export function parseLevel(text: string): LevelName {
  const name = text.toLowerCase();
  if ((LEVELS as readonly string[]).includes(name)) return name as LevelName;
  throw new Error(`--level: expected one of ${LEVELS.join(', ')}, got "${text}"`);
}

/** --since: an ISO time (2024-05-01T10:00, 2024-05-01) or a duration back from now (90s, 15m, 2h, 1d). */
export function parseSince(text: string, now: number): number {
  const rel = /^(\d+(?:\.\d+)?)\s*(s|m|h|d)$/i.exec(text.trim());
  if (rel) {
    const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[rel[2]!.toLowerCase() as 's' | 'm' | 'h' | 'd'];
    return now - Number(rel[1]) * unit;
  }
  const at = Date.parse(text);
  if (Number.isNaN(at)) throw new Error(`--since: expected a time like 2024-05-01T10:00 or a duration like 15m, got "${text}"`);
  return at;
}

export interface LogFilter {
  minLevel?: LevelName;
  stage?: string;
  /** Epoch ms; entries before it are skipped. */
  since?: number;
}

type Entry = Record<string, unknown>;

function levelOf(entry: Entry): { name: string; n: number } {
  const level = entry.level;
  if (typeof level === 'number') {
    const name = LEVELS.find((l) => LEVEL_NUMBERS[l] === level) ?? String(level);
    return { name, n: level };
  }
  const name = typeof level === 'string' ? level : '?';
  return { name, n: LEVEL_NUMBERS[name as LevelName] ?? 0 };
}

function timeOf(entry: Entry): number | null {
  const t = entry.time;
  if (typeof t === 'number') return t;
  if (typeof t === 'string') {
    const ms = Date.parse(t);
    return Number.isNaN(ms) ? null : ms;
  }
  return null;
}

function parseEntry(line: string): Entry | null {
  if (!line.startsWith('{')) return null;
  try {
    const value: unknown = JSON.parse(line);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Entry) : null;
  } catch {
    return null;
  }
}

/** Whether a raw line passes the filter; lines that are not JSON pass unless a filter needs a field. */
export function matches(line: string, filter: LogFilter): boolean {
  const entry = parseEntry(line);
  if (!entry) return filter.minLevel === undefined && filter.stage === undefined && filter.since === undefined;
  if (filter.minLevel && levelOf(entry).n < LEVEL_NUMBERS[filter.minLevel]) return false;
  if (filter.stage !== undefined && entry.stage !== filter.stage) return false;
  if (filter.since !== undefined) {
    const t = timeOf(entry);
    if (t === null || t < filter.since) return false;
  }
  return true;
}

/** Fields that are the same on every line of a camera's file, or shown in the head of the line. */
const HIDDEN = new Set(['time', 'level', 'msg', 'stage', 'pid', 'hostname', 'camera', 'v']);

function compact(value: unknown): string {
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  return JSON.stringify(value) ?? String(value);
}

/** One raw log line → readable text (possibly several lines, for a stack). Non-JSON lines come back as they are. */
export function formatLine(line: string): string {
  const entry = parseEntry(line);
  if (!entry) return line;
  const t = timeOf(entry);
  const time = typeof entry.time === 'string' ? entry.time : t !== null ? new Date(t).toISOString() : '-';
  const level = levelOf(entry).name.toUpperCase().padEnd(5);
  const stage = typeof entry.stage === 'string' ? ` [${entry.stage}]` : '';
  const msg = typeof entry.msg === 'string' ? ` ${entry.msg}` : '';
  const rest: string[] = [];
  let stack: string | null = null;
  for (const [key, value] of Object.entries(entry)) {
    if (HIDDEN.has(key) || value === undefined) continue;
    if ((key === 'err' || key === 'error') && value && typeof value === 'object') {
      const err = value as { type?: unknown; message?: unknown; stack?: unknown; code?: unknown };
      const head = [err.type, err.code].filter((x) => typeof x === 'string').join(' ');
      rest.push(`${key}=${JSON.stringify(`${head ? head + ': ' : ''}${typeof err.message === 'string' ? err.message : ''}`)}`);
      if (typeof err.stack === 'string') stack = err.stack.split('\n').slice(1).map((l) => `    ${l.trim()}`).join('\n');
      continue;
    }
    rest.push(`${key}=${compact(value)}`);
  }
  const out = `${time} ${level}${stage}${msg}${rest.length > 0 ? ' ' + rest.join(' ') : ''}`;
  return stack ? `${out}\n${stack}` : out;
}

export interface TailOptions {
  file: string;
  follow: boolean;
  filter: LogFilter;
  /** Receives each formatted entry. */
  out: (text: string) => void;
  /** Before following: only the last N matching entries (default all when not following, 10 when following). */
  lines?: number;
  /** Ends follow mode. */
  signal?: AbortSignal;
  /** How often follow mode looks at the file (default 250 ms). */
  pollMs?: number;
  /** Test hook: called after each poll of follow mode. */
  onPoll?: () => void;
}

const CHUNK = 64 * 1024;

/** Reads from `position` to the current end; returns the new position and the complete lines. */
async function readNew(fh: FileHandle, position: number, partial: { text: string }): Promise<{ position: number; lines: string[] }> {
  const lines: string[] = [];
  const buf = Buffer.alloc(CHUNK);
  for (;;) {
    const { bytesRead } = await fh.read(buf, 0, CHUNK, position);
    if (bytesRead === 0) break;
    position += bytesRead;
    partial.text += buf.toString('utf8', 0, bytesRead);
    const parts = partial.text.split('\n');
    partial.text = parts.pop() ?? '';
    for (const p of parts) if (p.trim() !== '') lines.push(p);
  }
  return { position, lines };
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolveSleep) => {
    if (signal?.aborted) return resolveSleep();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolveSleep();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

async function tryOpen(file: string): Promise<FileHandle | null> {
  try {
    return await open(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/**
 * Prints the file (the last `lines` matching entries), then in follow mode keeps printing
 * new entries until the signal aborts. Rotation: when the path names a new file (inode
 * changed), the old one is read to its end and the new one from its start; when the file
 * shrank (copytruncate), reading restarts at 0. Throws ENOENT only when not following.
 */
export async function tailLog(options: TailOptions): Promise<void> {
  const { file, filter, out } = options;
  const keep = options.lines ?? (options.follow ? 10 : Infinity);
  const pollMs = options.pollMs ?? 250;
  const emit = (line: string) => {
    if (matches(line, filter)) out(formatLine(line));
  };

  let fh = options.follow ? await tryOpen(file) : await open(file, 'r');
  let position = 0;
  let partial = { text: '' };
  let inode = fh ? (await fh.stat()).ino : -1;
  if (fh) {
    const first = await readNew(fh, 0, partial);
    position = first.position;
    const matching = first.lines.filter((l) => matches(l, filter));
    for (const l of keep === Infinity ? matching : matching.slice(Math.max(0, matching.length - keep))) out(formatLine(l));
  }
  if (!options.follow) {
    if (partial.text.trim() !== '') emit(partial.text);
    await fh?.close();
    return;
  }
  try {
    while (!options.signal?.aborted) {
      await sleep(pollMs, options.signal);
      if (options.signal?.aborted) break;
      if (fh) {
        const next = await readNew(fh, position, partial);
        position = next.position;
        next.lines.forEach(emit);
      }
      const onDisk = await stat(file).catch(() => null);
      if (onDisk && onDisk.ino !== inode) {
        // Rotated: the old handle has been read to its end above; continue with the new file.
        if (partial.text.trim() !== '') emit(partial.text);
        await fh?.close();
        fh = await tryOpen(file);
        inode = fh ? (await fh.stat()).ino : -1;
        position = 0;
        partial = { text: '' };
        if (fh) {
          const next = await readNew(fh, 0, partial);
          position = next.position;
          next.lines.forEach(emit);
        }
      } else if (onDisk && fh && onDisk.size < position) {
        // Truncated in place (copytruncate): start again from the top.
        position = 0;
        partial = { text: '' };
        const next = await readNew(fh, 0, partial);
        position = next.position;
        next.lines.forEach(emit);
      }
      options.onPoll?.();
    }
  } finally {
    await fh?.close();
  }
}
