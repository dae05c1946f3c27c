// Plates read from the camera's pixels (camera.plate_pixels) instead of the detect-size frame:
// what it changes and what it costs, each side by side in one run.
//   1. huyhoanlee_tr1_382.png (1920×1080) scaled to the detect size 1280×720: plates located and
//      read on the 720p frame vs on the 1080p yuv420p plate picture (Frame.full, converted to RGB
//      where plates are searched), reads side by side, plate stage ms per frame (median of
//      alternating rounds) and the pixels converted.
//   2. The capture stage itself on nhutanh_test1.mp4 (1920×1080, 5 fps) looped, as fast as it
//      goes, without and with the plate pictures, alternating: CPU ms per frame of ffmpeg and of
//      Node, and the bytes per frame through the pipe and the socket.
//
//   npx tsx bench/plate-pixels.ts [--rounds 5] [--loops 10]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import sharp from 'sharp';
import { createFrameSource, type CaptureCamera } from '../src/capture/index.js';
import { loadConfig } from '../src/config/load.js';
import { createDetector } from '../src/detect/detector.js';
import { silentLogger } from '../src/shared/logger.js';
import type { Frame } from '../src/shared/types.js';
import { median } from './run-stats.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '5' }, loops: { type: 'string', default: '10' } } });
const root = resolve(import.meta.dirname, '..');
const media = resolve(process.env.ROADSIDE_MEDIA_DIR ?? join(root, '../shared/media'));
const modelsDir = resolve(process.env.ROADSIDE_MODELS_DIR ?? join(root, '../shared/models'));

async function rgb(file: string, width?: number, height?: number): Promise<{ width: number; height: number; data: Uint8Array }> {
  let img = sharp(file).removeAlpha();
  if (width && height) img = img.resize(width, height, { fit: 'fill' });
  const { data, info } = await img.raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

async function readsAndCost(): Promise<void> {
  const file = join(media, 'vn/huyhoanlee_tr1_382.png');
  const full = { width: 1920, height: 1080, data: new Uint8Array(execFileSync('ffmpeg', ['-v', 'error', '-i', file, '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-'], { maxBuffer: 1 << 24 })) };
  const small = await rgb(file, 1280, 720);
  const loaded = loadConfig(join(root, 'config.json'), { env: { ROADSIDE_MODELS_DIR: modelsDir } });
  loaded.modelsDir = modelsDir;
  const d = await createDetector(loaded, silentLogger(), { plates: 'all' });
  const frames: Record<string, Frame> = {
    '720p pixels': { seq: 0, capturedAt: 0, ...small },
    '1080p pixels': { seq: 0, capturedAt: 0, ...small, full },
  };
  const ms: Record<string, number[]> = { '720p pixels': [], '1080p pixels': [] };
  const reads: Record<string, string[]> = {};
  const convert: Record<string, number[]> = {};
  for (let r = 0; r <= Number(values.rounds); r++) {
    for (const [name, f] of Object.entries(frames)) {
      const a = await d.analyze(f);
      reads[name] = a.motorcycles.map((m) => m.plate?.text ?? '-');
      const plate = Object.entries(a.timings).reduce((s, [k, v]) => (k.startsWith('plate.') ? s + v : s), 0);
      if (r > 0) ms[name]!.push(plate); // round 0 warms the sessions
      if (r > 0) (convert[name] ??= []).push(a.timings['plate.pixels'] ?? 0);
    }
  }
  await d.close();
  console.log(`huyhoanlee_tr1_382 detected at 1280x720, ${reads['720p pixels']!.length} motorcycles (plate stage ms include converting the plate picture's search regions)`);
  for (const name of Object.keys(frames)) {
    const n = reads[name]!.length;
    const conv = median(convert[name]!);
    console.log(`  ${name.padEnd(13)} plates ${reads[name]!.join(' ')}  plate stage ${median(ms[name]!).toFixed(1)} ms/frame, ${(median(ms[name]!) / n).toFixed(1)} ms per motorcycle (converting ${conv.toFixed(1)})`);
  }
}

const TICKS = 100; // USER_HZ

/** CPU seconds of reaped children (cutime + cstime of /proc/self/stat): ffmpeg's, once capture collected it. */
function childCpuSeconds(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) / TICKS;
}

async function captureRun(url: string, plate: boolean): Promise<{ frames: number; ffmpeg: number; node: number; pictures: number }> {
  const camera: CaptureCamera = {
    id: 'bench',
    source: { url, rtsp_transport: 'tcp', timeout_s: 10, wallclock_timestamps: true, loop: false, realtime: false, hwaccel: 'none' },
    detect: { width: 1280, height: 720, fps: 5 },
    stall_timeout_s: 60,
    reconnect: { initial_s: 1, max_s: 1, factor: 1, jitter: 0 },
    plate_pixels: plate ? { width: 1920, height: 1080 } : null,
  };
  const source = createFrameSource({ camera, logger: pino({ level: 'silent' }), handoff: 'lossless' });
  const c0 = childCpuSeconds();
  const n0 = process.cpuUsage();
  let frames = 0;
  let pictures = 0;
  for (let f = await source.next(); f !== null; f = await source.next()) {
    frames++;
    source.recycle(f.data);
    if (!f.full) continue;
    pictures++;
    source.recycle(f.full.data);
  }
  await source.stop();
  const n = process.cpuUsage(n0);
  return { frames, pictures, ffmpeg: ((childCpuSeconds() - c0) * 1000) / frames, node: (n.user + n.system) / 1000 / frames };
}

async function captureCost(): Promise<void> {
  const tmp = mkdtempSync(join(tmpdir(), 'bench-plate-pixels-'));
  const clip = join(tmp, 'clip.mp4');
  try {
    execFileSync('ffmpeg', ['-v', 'error', '-stream_loop', String(Number(values.loops) - 1), '-i', join(media, 'in/nhutanh_test1.mp4'), '-c', 'copy', clip]);
    const runs: Record<string, Array<{ ffmpeg: number; node: number }>> = { 'detect frames only': [], '+ plate pictures': [] };
    let frames = 0;
    let pictures = 0;
    await captureRun(clip, true); // warm-up: fluent-ffmpeg's probes, page cache
    for (let r = 0; r < 3; r++) {
      for (const [name, list] of Object.entries(runs)) {
        const got = await captureRun(clip, name !== 'detect frames only');
        list.push(got);
        frames = got.frames;
        if (got.pictures > 0) pictures = got.pictures;
      }
    }
    console.log(`capture of nhutanh_test1.mp4 (1920x1080) x${values.loops} as fast as it goes, ${frames} frames (${pictures} with plate pictures), median of 3 alternating:`);
    const base = median(runs['detect frames only']!.map((x) => x.ffmpeg + x.node));
    for (const [name, list] of Object.entries(runs)) {
      const ff = median(list.map((x) => x.ffmpeg));
      const node = median(list.map((x) => x.node));
      const bytes = name === 'detect frames only' ? 1280 * 720 * 3 : 1280 * 720 * 3 + 1920 * 1080 * 1.5;
      console.log(
        `  ${name.padEnd(20)} ffmpeg ${ff.toFixed(2)} + node ${node.toFixed(2)} ms CPU/frame (x${((ff + node) / base).toFixed(2)}), ${(bytes / 1e6).toFixed(1)} MB/frame; at 5 fps ${(((ff + node) * 5) / 1000).toFixed(3)} core per camera`,
      );
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

await readsAndCost();
await captureCost();
