// Capture alone, against plain ffmpeg at the same settings, in the same run.
//
//   npx tsx bench/capture.ts [--seconds 10] [--reps 3] [--width 640 --height 360]
//
// For a 1080p and a 720p H.264 clip (made here with ffmpeg's testsrc2; plus the real
// 1080p clip in ../shared/media when present) it runs, alternately, `reps` times each:
//   plain:   ffmpeg <the same argv capture builds> > /dev/null
//   capture: FrameSource (fluent-ffmpeg, frame assembly, latest-frame hand-off) with a consumer
//            that takes every frame as soon as it can
// Files play as fast as possible, and the fps filter runs at the clip's own rate, so every
// decoded frame is scaled to the detect size and crosses the pipe. Reported (medians):
// frames/s, CPU seconds per frame of ffmpeg (utime+stime of the reaped child: the cutime +
// cstime of /proc/self/stat grow by exactly that when Node collects it) and of Node
// (process.cpuUsage), and capture/plain ratios.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { buildFfmpegArgs, createFrameSource, toArgv, type CaptureCamera } from '../src/capture/index.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    reps: { type: 'string', default: '3' },
    width: { type: 'string', default: '640' },
    height: { type: 'string', default: '360' },
    threads: { type: 'string', default: '1' },
  },
});
const SECONDS = Number(values.seconds);
const REPS = Number(values.reps);
const WIDTH = Number(values.width);
const HEIGHT = Number(values.height);
const THREADS = Number(values.threads);
const RATE = 25;
const TICKS = 100; // USER_HZ on Linux

function childCpuSeconds(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state): cutime is field 16, cstime 17
  return (Number(fields[13]) + Number(fields[14])) / TICKS;
}

function nodeCpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

function camera(url: string, fps: number): CaptureCamera {
  return {
    id: 'bench',
    source: { url, rtsp_transport: 'tcp', timeout_s: 10, wallclock_timestamps: true, loop: false, realtime: false, hwaccel: 'none' },
    detect: { width: WIDTH, height: HEIGHT, fps },
    stall_timeout_s: 60,
    reconnect: { initial_s: 1, max_s: 1, factor: 1, jitter: 0 },
  };
}

interface Sample {
  frames: number;
  wall: number;
  ffmpegCpu: number;
  nodeCpu: number;
}

async function plain(url: string, fps: number): Promise<Sample> {
  const inv = buildFfmpegArgs(camera(url, fps), { decodeThreads: THREADS });
  const devnull = openSync('/dev/null', 'w');
  const c0 = childCpuSeconds();
  const n0 = nodeCpuSeconds();
  const t0 = performance.now();
  const child = spawn('ffmpeg', toArgv(inv), { stdio: ['ignore', devnull, 'ignore'] });
  const code = await new Promise<number | null>((res) => child.once('close', res));
  const wall = (performance.now() - t0) / 1000;
  closeSync(devnull);
  if (code !== 0) throw new Error(`plain ffmpeg exited ${code}`);
  return { frames: -1, wall, ffmpegCpu: childCpuSeconds() - c0, nodeCpu: nodeCpuSeconds() - n0 };
}

async function capture(url: string, fps: number): Promise<Sample> {
  const source = createFrameSource({ camera: camera(url, fps), logger: pino({ level: 'silent' }), args: { decodeThreads: THREADS } });
  const c0 = childCpuSeconds();
  const n0 = nodeCpuSeconds();
  const t0 = performance.now();
  let delivered = 0;
  while ((await source.next()) !== null) delivered++;
  const wall = (performance.now() - t0) / 1000;
  await source.stop();
  const st = source.stats();
  if (st.state !== 'finished') throw new Error(`capture ended in state ${st.state}`);
  if (st.received !== delivered + st.dropped) throw new Error('frames lost');
  return { frames: st.received, wall, ffmpegCpu: childCpuSeconds() - c0, nodeCpu: nodeCpuSeconds() - n0 };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The clip's own frame rate from ffprobe (e.g. 25/1, 30000/1001). */
function clipRate(file: string): number {
  const out = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=r_frame_rate', '-of', 'csv=p=0', file], { encoding: 'utf8' });
  const [n, d] = out.trim().split('/').map(Number);
  return n && d ? n / d : RATE;
}

async function bench(label: string, url: string, fps: number): Promise<void> {
  // warm-up: fluent-ffmpeg's one-time capability probes, page cache
  await capture(url, fps);
  await plain(url, fps);
  const p: Sample[] = [];
  const c: Sample[] = [];
  for (let i = 0; i < REPS; i++) {
    p.push(await plain(url, fps));
    c.push(await capture(url, fps));
  }
  const frames = c[0]!.frames;
  const pFps = median(p.map((s) => frames / s.wall));
  const cFps = median(c.map((s) => s.frames / s.wall));
  const pCpu = median(p.map((s) => s.ffmpegCpu / frames)) * 1000;
  const cFf = median(c.map((s) => s.ffmpegCpu / s.frames)) * 1000;
  const cNode = median(c.map((s) => s.nodeCpu / s.frames)) * 1000;
  const row = (name: string, fpsV: number, ff: number, node: number): string =>
    `  ${name.padEnd(8)} ${fpsV.toFixed(1).padStart(7)} fps   ffmpeg ${ff.toFixed(2).padStart(6)} ms CPU/frame   node ${node.toFixed(2).padStart(5)} ms CPU/frame   total ${(ff + node).toFixed(2).padStart(6)} ms/frame`;
  console.log(`${label}: ${frames} frames → ${WIDTH}x${HEIGHT} rgb24, -threads ${THREADS}, median of ${REPS}`);
  console.log(row('plain', pFps, pCpu, 0));
  console.log(row('capture', cFps, cFf, cNode));
  console.log(
    `  ratio    capture/plain frames/s ${(cFps / pFps).toFixed(3)}   CPU per frame ${((cFf + cNode) / pCpu).toFixed(3)}   (node share ${(cNode / (cFf + cNode) * 100).toFixed(1)}%)`,
  );
}

const tmp = mkdtempSync(join(tmpdir(), 'bench-capture-'));
try {
  const clips: Array<[string, string]> = [];
  for (const [name, size] of [
    ['1080p testsrc2', '1920x1080'],
    ['720p testsrc2', '1280x720'],
  ] as const) {
    const file = join(tmp, `${size}.mp4`);
    execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=${RATE}:duration=${SECONDS}`, '-c:v', 'libx264', '-preset', 'veryfast', '-g', '50', '-pix_fmt', 'yuv420p', file]);
    clips.push([name, file]);
  }
  const real = resolve(import.meta.dirname, '../../shared/media/in/nhutanh_test1.mp4');
  if (existsSync(real)) clips.push(['1080p real clip (nhutanh_test1.mp4)', real]);
  console.log(`capture benchmark on ${process.platform} ${process.arch}, node ${process.version}`);
  for (const [name, file] of clips) {
    // the clip's own rate, so every decoded frame is delivered
    await bench(name, file, Math.round(clipRate(file) * 1000) / 1000);
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
