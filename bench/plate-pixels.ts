// Plates read from the camera's pixels instead of the detect-size frame: what it changes and
// what it costs.
//   1. huyhoanlee_tr1_382.png (1920×1080) scaled to the detect size 1280×720: plates located and
//      read on the 720p frame vs on the 1080p picture (Frame.full), reads side by side, plate
//      stage ms per frame (median of alternating rounds).
//   2. ffmpeg CPU per frame for the detect stream alone vs with a second, full-resolution output
//      (yuv420p, rgb24) on nhutanh_test1.mp4 (1920×1080, 5 fps), and the bytes per frame.
//
//   npx tsx bench/plate-pixels.ts [--rounds 5] [--loops 10]
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
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
  const full = await rgb(file);
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
  for (let r = 0; r <= Number(values.rounds); r++) {
    for (const [name, f] of Object.entries(frames)) {
      const a = await d.analyze(f);
      reads[name] = a.motorcycles.map((m) => m.plate?.text ?? '-');
      const plate = Object.entries(a.timings).reduce((s, [k, v]) => (k.startsWith('plate.') ? s + v : s), 0);
      if (r > 0) ms[name]!.push(plate); // round 0 warms the sessions
    }
  }
  await d.close();
  console.log(`huyhoanlee_tr1_382 detected at 1280x720, ${reads['720p pixels']!.length} motorcycles`);
  for (const name of Object.keys(frames)) console.log(`  ${name.padEnd(13)} plates ${reads[name]!.join(' ')}  plate stage ${median(ms[name]!).toFixed(1)} ms/frame`);
}

function ffmpegCpu(outputs: string[]): number {
  const input = join(media, 'in/nhutanh_test1.mp4');
  const cmd = [
    'TIMEFORMAT="%U %S"; time ffmpeg -y -hide_banner -nostdin -loglevel error -filter_threads 1',
    `-stream_loop ${Number(values.loops) - 1} -threads 1 -i ${input} -an -sn -dn`,
    ...outputs,
  ].join(' ');
  const r = spawnSync('bash', ['-c', cmd], { encoding: 'utf8' });
  const m = /(\d+\.\d+) (\d+\.\d+)\s*$/.exec(r.stderr);
  if (r.status !== 0 || !m) throw new Error(`ffmpeg failed: ${r.stderr.slice(-400)}`);
  return ((Number(m[1]) + Number(m[2])) * 1000) / (24 * Number(values.loops));
}

function captureCost(): void {
  const detect = '"fps=5,scale=1280:720,format=yuv420p"';
  const split = (fmt: string): string =>
    `-filter_complex "[0:v]fps=5,split=2[a][b];[a]scale=1280:720,format=yuv420p,format=rgb24[d];[b]format=${fmt}[f]" -map "[d]" -f rawvideo - -map "[f]" -f rawvideo /dev/null > /dev/null`;
  const rows: Array<[string, string[], number]> = [
    ['detect 1280x720 rgb24 only', ['-vf', detect, '-pix_fmt rgb24 -f rawvideo - > /dev/null'], 1280 * 720 * 3],
    ['+ 1920x1080 yuv420p', [split('yuv420p')], 1280 * 720 * 3 + 1920 * 1080 * 1.5],
    ['+ 1920x1080 rgb24', [split('rgb24')], 1280 * 720 * 3 + 1920 * 1080 * 3],
  ];
  console.log(`ffmpeg CPU per frame (user+sys), nhutanh_test1.mp4 1920x1080 x${values.loops}, median of 3:`);
  for (const [name, out, bytes] of rows) {
    const cpu = median([0, 1, 2].map(() => ffmpegCpu(out)));
    console.log(`  ${name.padEnd(28)} ${cpu.toFixed(2)} ms/frame, ${(bytes / 1e6).toFixed(1)} MB/frame through the pipe(s)`);
  }
}

await readsAndCost();
captureCost();
