// The real CLI (bin/roadside-agent.js, i.e. dist/) as a child of the bench: temp configs made
// from the example config.json, JSON log lines parsed as they arrive, media made once and
// cached, databases made per run.
import { execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { spawnTracked, stopProcess } from './run-procs.js';

export const ROOT = resolve(import.meta.dirname, '..');
export const CLI = join(ROOT, 'bin/roadside-agent.js');
export const MODELS_DIR = process.env.ROADSIDE_MODELS_DIR ?? resolve(ROOT, '../shared/models');
export const CLIP = resolve(ROOT, '../shared/media/in/nhutanh_test1.mp4');
export const CLIP_FRAMES = 24;

type Json = Record<string, unknown>;

/** Deep merge of plain objects (arrays and scalars replace). */
function merge(base: Json, over: Json): Json {
  const out: Json = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] =
      v && typeof v === 'object' && !Array.isArray(v) && b && typeof b === 'object' && !Array.isArray(b) ? merge(b as Json, v as Json) : v;
  }
  return out;
}

/** config.json with the bench's own state dir, models dir, database, and `over` merged in. */
export function writeConfig(dir: string, name: string, over: Json, edit?: (cfg: Json) => void): string {
  const base = JSON.parse(readFileSync(join(ROOT, 'config.json'), 'utf8')) as Json;
  delete base.$schema;
  const state = join(dir, `state-${name}`);
  const cfg = merge(
    merge(base, {
      models: { dir: MODELS_DIR },
      queue: { state_dir: state },
      operate: { log_file: join(state, 'agent.log'), log_stdout: true, health: { port: 0 } },
    }),
    over,
  );
  edit?.(cfg);
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(cfg, null, 2));
  return file;
}

function ffmpeg(args: string[]): void {
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
}

/** Makes `file` with `make(tmp)` unless it exists (media are cached between bench runs). */
function cached(file: string, make: (tmp: string) => void): string {
  if (!existsSync(file)) {
    const tmp = file.replace(/\.mp4$/, '.part.mp4');
    make(tmp);
    renameSync(tmp, file);
  }
  return file;
}

export interface Media {
  /** The clip looped `throughputLoops` times (1080p, 5 fps). */
  throughput: string;
  throughputFrames: number;
  /** A moving 1080p 25 fps H.264 stream (testsrc2, ~4 Mbit/s, no B-frames): a main stream's decode work. */
  main1080p25: string;
}

export function prepareMedia(dir: string, throughputLoops: number): Media {
  mkdirSync(dir, { recursive: true });
  return {
    throughput: cached(join(dir, `clip-x${throughputLoops}.mp4`), (tmp) => ffmpeg(['-stream_loop', String(throughputLoops - 1), '-i', CLIP, '-c', 'copy', tmp])),
    throughputFrames: CLIP_FRAMES * throughputLoops,
    main1080p25: cached(join(dir, 'testsrc2-1080p25-40s.mp4'), (tmp) =>
      ffmpeg([
        '-f', 'lavfi', '-i', 'testsrc2=size=1920x1080:rate=25:duration=40',
        '-c:v', 'libx264', '-preset', 'ultrafast', '-b:v', '4M', '-maxrate', '4M', '-bufsize', '8M', '-g', '50', '-bf', '0', '-pix_fmt', 'yuv420p', tmp,
      ]),
    ),
  };
}

export interface AgentLine extends Json {
  level: string;
  time: string;
  msg?: string;
  event?: string;
}

export interface AgentRun {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly lines: AgentLine[];
  /** Resolves with the exit code (or signal name). */
  readonly exited: Promise<number | string>;
  waitFor(match: (l: AgentLine) => boolean, ms: number, what: string): Promise<AgentLine>;
  stop(): Promise<void>;
  /** stderr and non-JSON stdout, the last few KB. */
  readonly errTail: () => string;
}

/** `roadside-agent <args>` from dist/, logs parsed. */
export function startAgent(args: string[], env: NodeJS.ProcessEnv = {}): AgentRun {
  const child = spawnTracked(process.execPath, [CLI, ...args], {
    cwd: ROOT,
    env: { ...process.env, ROADSIDE_MODELS_DIR: MODELS_DIR, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: AgentLine[] = [];
  let err = '';
  const waiters: Array<{ match: (l: AgentLine) => boolean; resolve: (l: AgentLine) => void }> = [];
  createInterface({ input: child.stdout! }).on('line', (text) => {
    let line: AgentLine;
    try {
      line = JSON.parse(text) as AgentLine;
    } catch {
      err = (err + text + '\n').slice(-4000);
      return;
    }
    lines.push(line);
    for (const w of [...waiters]) {
      if (w.match(line)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  });
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (d: string) => (err = (err + d).slice(-4000)));
  const exited = new Promise<number | string>((res) => child.once('exit', (code, sig) => res(code ?? sig ?? -1)));
  return {
    child,
    pid: child.pid!,
    lines,
    exited,
    errTail: () => err,
    waitFor(match, ms, what) {
      const found = lines.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((res, rej) => {
        const timer = setTimeout(() => rej(new Error(`agent: no "${what}" within ${ms} ms; stderr: ${err}`)), ms);
        waiters.push({
          match,
          resolve: (l) => {
            clearTimeout(timer);
            res(l);
          },
        });
        void exited.then((code) => {
          clearTimeout(timer);
          rej(new Error(`agent exited (${code}) before "${what}"; stderr: ${err}`));
        });
      });
    },
    stop: () => stopProcess(child),
  };
}

/** Runs `roadside-agent <args>` to the end; throws on a non-zero exit. */
export async function runAgentToEnd(args: string[], timeoutMs: number): Promise<AgentRun> {
  const run = startAgent(args);
  const timer = setTimeout(() => void run.stop(), timeoutMs);
  const code = await run.exited;
  clearTimeout(timer);
  if (code !== 0) throw new Error(`roadside-agent ${args.join(' ')} exited ${code}: ${run.errTail()}`);
  return run;
}

export const ms = (l: AgentLine): number => Date.parse(l.time);

/**
 * The agent's own series from its /metrics, by name with their labels as Prometheus writes them
 * (`roadside_frames_processed_total`, `roadside_violations_total{outcome="queued"}`).
 */
export async function scrapeMetrics(port: number): Promise<Record<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = /^(roadside_\w+(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (m) out[m[1]!] = Number(m[2]);
  }
  return out;
}

/** The `Environment=` lines of the systemd unit, so the agent is measured as it is deployed. */
export function unitEnvironment(): Record<string, string> {
  const env: Record<string, string> = {};
  const unit = join(ROOT, 'systemd/roadside-agent@.service');
  if (!existsSync(unit)) return env;
  for (const m of readFileSync(unit, 'utf8').matchAll(/^Environment=(\w+)=(\S*)$/gm)) env[m[1]!] = m[2]!;
  return env;
}
