// Child processes of the benchmark and what they cost, read from /proc.
//
// Invariant: every process the bench starts is registered here and killed when the bench
// ends, however it ends (normal end, exception, SIGINT/SIGTERM). A CLI child is stopped with
// SIGTERM first (so it stops its own ffmpeg), then SIGKILL for it and every descendant.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const TICKS = 100; // USER_HZ on Linux

/** The interpreter of the bench's Python children (the OpenCV peer, the RTSP fixture). */
export const PYTHON = '/usr/bin/python3';

const live = new Set<ChildProcess>();

/** spawn(), registered for the cleanup at exit. */
export function track(child: ChildProcess): ChildProcess {
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

export function spawnTracked(cmd: string, args: readonly string[], options: SpawnOptions): ChildProcess {
  return track(spawn(cmd, args, options));
}

/** Pid → parent pid and name for every process now. */
function processTable(): Array<{ pid: number; ppid: number; comm: string }> {
  const out: Array<{ pid: number; ppid: number; comm: string }> = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      out.push({ pid: Number(name), ppid: Number(stat.slice(close + 2).split(' ')[1]), comm: stat.slice(stat.indexOf('(') + 1, close) });
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

/** Every descendant of `pid` (children, their children…). */
export function descendants(pid: number): Array<{ pid: number; comm: string }> {
  const table = processTable();
  const out: Array<{ pid: number; comm: string }> = [];
  const queue = [pid];
  while (queue.length) {
    const p = queue.shift()!;
    for (const row of table) {
      if (row.ppid === p) {
        out.push({ pid: row.pid, comm: row.comm });
        queue.push(row.pid);
      }
    }
  }
  return out;
}

function killQuiet(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((res) => child.once('exit', () => res()));
}

/** SIGTERM, then after `graceMs` SIGKILL for it and everything it started. */
export async function stopProcess(child: ChildProcess, graceMs = 30_000): Promise<void> {
  if (child.pid === undefined) return;
  const pid = child.pid;
  const kids = descendants(pid).map((d) => d.pid);
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGTERM');
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
    }, graceMs);
    await exited(child);
    clearTimeout(timer);
  }
  // Anything it left behind (it should leave nothing): SIGKILL by pid.
  for (const k of [...kids, ...descendants(pid).map((d) => d.pid)]) killQuiet(k, 'SIGKILL');
}

/** Kills every registered process still running (SIGKILL after a short SIGTERM grace). */
export async function killAll(graceMs = 5000): Promise<void> {
  await Promise.all([...live].map((c) => stopProcess(c, graceMs)));
}

let cleanupInstalled = false;
/** On SIGINT/SIGTERM or an uncaught error: kill every registered child, then exit. */
export function installCleanup(): void {
  if (cleanupInstalled) return;
  cleanupInstalled = true;
  const onSignal = (sig: NodeJS.Signals): void => {
    console.error(`bench: ${sig}: stopping child processes`);
    void killAll(3000).finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.on('exit', () => {
    // Synchronous last resort: nothing may outlive the bench.
    for (const c of live) {
      if (c.pid === undefined) continue;
      for (const d of descendants(c.pid)) killQuiet(d.pid, 'SIGKILL');
      killQuiet(c.pid, 'SIGKILL');
    }
  });
}

/** CPU seconds (utime + stime) of one process so far; null when it is gone. */
export function cpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // f[0] is field 3 (state): utime is field 14, stime 15
    return (Number(f[11]) + Number(f[12])) / TICKS;
  } catch {
    return null;
  }
}

/**
 * VmRSS, VmHWM (its peak) and RssFile (the file-backed part: node's and the native libraries'
 * code, mapped models, pages the agents of one box share) in MB; null when the process is gone.
 */
export function memoryMb(pid: number): { rss: number; hwm: number; file: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024, file: kb('RssFile') / 1024 };
  } catch {
    return null;
  }
}

/**
 * A process's resident memory from /proc/PID/smaps_rollup in MB: all of it, its proportional
 * share (PSS: each shared page divided among the processes that map it), the anonymous part
 * (heaps, buffers, arenas) and the file-backed rest (code, mapped files); null when it is gone.
 */
export function smapsMb(pid: number | 'self'): { rss: number; pss: number; anonymous: number; file: number } | null {
  try {
    const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const kb = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
    const rss = kb('Rss') / 1024;
    const anonymous = kb('Anonymous') / 1024;
    return { rss, pss: kb('Pss') / 1024, anonymous, file: rss - anonymous };
  } catch {
    return null;
  }
}

/** CPU seconds of this process's reaped children (cutime + cstime). */
export function reapedChildrenCpuSeconds(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[13]) + Number(f[14])) / TICKS;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((res) => setTimeout(res, ms));
}
