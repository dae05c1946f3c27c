// 1,000 reconnect cycles, watching for leaks: open file descriptors (/proc/self/fd), child
// processes (ffmpeg and any other), RSS and V8 heap, at the start, every 100 cycles and at the
// end. It stops by itself.
//
//   NODE_OPTIONS=--expose-gc npx tsx bench/reconnect-soak.ts [--cycles 1000] [--real-every 50]
//
// Most cycles are one failed ffmpeg run against a refused port with a tiny backoff (the
// reconnect loop of one source, 100 cycles per source, then the source is stopped and a new
// one made); every `--real-every`-th cycle is a whole session against the real GStreamer RTSP
// server (connect, first frame, stop) when /usr/bin/python3 has GstRtspServer.
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { createFrameSource, type CaptureCamera } from '../src/capture/index.js';
import { rtspServerAvailable, startRtspServer, type RtspServer } from '../test/helpers/rtsp.js';

const { values } = parseArgs({ options: { cycles: { type: 'string', default: '1000' }, 'real-every': { type: 'string', default: '50' } } });
const CYCLES = Number(values.cycles);
const REAL_EVERY = Number(values['real-every']);
const logger = pino({ level: 'silent' });

function children(): { ffmpeg: number; other: number } {
  let ffmpeg = 0;
  let other = 0;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      if (Number(stat.slice(close + 2).split(' ')[1]) !== process.pid) continue;
      if (stat.slice(stat.indexOf('(') + 1, close) === 'ffmpeg') ffmpeg++;
      else other++;
    } catch {
      // gone meanwhile
    }
  }
  return { ffmpeg, other };
}

interface Sample {
  cycle: number;
  fds: number;
  ffmpeg: number;
  other: number;
  rssMb: number;
  heapMb: number;
}

function sample(cycle: number): Sample {
  (globalThis as { gc?: () => void }).gc?.();
  const c = children();
  const m = process.memoryUsage();
  const s = { cycle, fds: readdirSync('/proc/self/fd').length, ffmpeg: c.ffmpeg, other: c.other, rssMb: m.rss / 2 ** 20, heapMb: m.heapUsed / 2 ** 20 };
  console.log(
    `${String(cycle).padStart(6)}  fds ${String(s.fds).padStart(4)}  ffmpeg children ${s.ffmpeg}  other children ${s.other}  rss ${s.rssMb.toFixed(1).padStart(6)} MB  heap ${s.heapMb.toFixed(1).padStart(5)} MB`,
  );
  return s;
}

function camera(url: string): CaptureCamera {
  return {
    id: 'soak',
    source: { url, rtsp_transport: 'tcp', timeout_s: 5, wallclock_timestamps: true, loop: false, realtime: true, hwaccel: 'none' },
    detect: { width: 320, height: 180, fps: 5 },
    stall_timeout_s: 10,
    reconnect: { initial_s: 0.005, max_s: 0.02, factor: 2, jitter: 0.2 },
  };
}

async function refusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  await new Promise<void>((r) => server.close(() => r()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`soak: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const server: RtspServer | null = rtspServerAvailable() ? await startRtspServer({ width: 640, height: 360, fps: 10 }) : null;
if (!server) console.log('(no GStreamer RTSP server here: refused-port cycles only)');
const port = await refusedPort();
const t0 = Date.now();
const samples = [sample(0)];
let cycle = 0;
let realSessions = 0;
try {
  while (cycle < CYCLES) {
    const batchEnd = Math.min(CYCLES, (Math.floor(cycle / 100) + 1) * 100);
    // the real-server cycles of this batch
    const real = server ? Math.floor(batchEnd / REAL_EVERY) - Math.floor(cycle / REAL_EVERY) : 0;
    for (let i = 0; i < real; i++) {
      const s = createFrameSource({ camera: camera(server!.url('live')), logger });
      const frame = await s.next(AbortSignal.timeout(30_000));
      if (!frame) throw new Error('soak: real server gave no frame');
      await s.stop();
      realSessions++;
      cycle++;
    }
    // one source, reconnecting against a refused port until the batch is full
    const need = batchEnd - cycle;
    if (need > 0) {
      const s = createFrameSource({ camera: camera(`rtsp://soak:soak-secret@127.0.0.1:${port}/none`), logger });
      await until(() => s.stats().restarts >= need, 600_000, `${need} reconnects`);
      await s.stop();
      cycle += need;
    }
    samples.push(sample(cycle));
  }
} finally {
  await server?.stop();
}
const first = samples[0]!;
const last = samples.at(-1)!;
console.log(
  `\n${cycle} cycles (${realSessions} against the real RTSP server) in ${((Date.now() - t0) / 1000).toFixed(0)} s` +
    `\nstart → end: fds ${first.fds} → ${last.fds}, ffmpeg children ${first.ffmpeg} → ${last.ffmpeg}, other children ${first.other} → ${last.other} (the RTSP server fixture and tsx's esbuild), ` +
    `rss ${first.rssMb.toFixed(1)} → ${last.rssMb.toFixed(1)} MB, heap ${first.heapMb.toFixed(1)} → ${last.heapMb.toFixed(1)} MB` +
    `\nrss after the first 100 cycles ${samples[1]?.rssMb.toFixed(1)} MB → end ${last.rssMb.toFixed(1)} MB (the first batch loads fluent-ffmpeg's capability cache and warms the heap)`,
);
if ((globalThis as { gc?: () => void }).gc === undefined) console.log('(run with NODE_OPTIONS=--expose-gc for heap numbers after a full GC)');
