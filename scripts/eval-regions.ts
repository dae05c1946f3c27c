// Motorcycles and riders found with the scene detector on the whole frame vs on regions at
// full detail: tiles on still images (../shared/media frames, the helmet-frames val split),
// motion-gated regions on the demo clip (and on any --clip given). Prints one table; with
// --out DIR writes the annotated frames (regions in yellow, motion in cyan) to look at.
//
// `npx tsx scripts/eval-regions.ts [--models DIR] [--media DIR] [--datasets DIR] [--val N] [--clip FILE]... [--out DIR]`
// Nothing from ../shared is copied; everything is read in place.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { loadConfig, type LoadedConfig } from '../src/config/load.js';
import { annotatedJpeg } from '../src/detect/annotate.js';
import { createDetector, type InThreadDetector } from '../src/detect/detector.js';
import { loadImageFrame } from '../src/detect/image.js';
import type { ScanMode } from '../src/detect/scene-scan.js';
import { silentLogger } from '../src/shared/logger.js';
import type { Box, Frame, FrameAnalysis } from '../src/shared/types.js';
import { matchHeads, ridingPersons } from './eval/helmet-frames.js';

const root = resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const arg = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const argAll = (name: string): string[] => args.flatMap((a, i) => (a === name && args[i + 1] ? [args[i + 1]!] : []));
const shared = join(root, '../shared');
const modelsDir = resolve(arg('--models') ?? process.env.ROADSIDE_MODELS_DIR ?? join(shared, 'models'));
const mediaDir = resolve(arg('--media') ?? process.env.ROADSIDE_MEDIA_DIR ?? join(shared, 'media'));
const datasetsDir = resolve(arg('--datasets') ?? join(shared, 'datasets'));
const valLimit = Number(arg('--val') ?? 1000);
const outDir = arg('--out');

function config(): LoadedConfig {
  const loaded = loadConfig(join(root, 'config.json'), { env: { ROADSIDE_MODELS_DIR: modelsDir } });
  loaded.modelsDir = modelsDir;
  return loaded;
}

interface Tally {
  frames: number;
  motorcycles: number;
  riders: number;
  /** Rider entries: one per head judged (a person box with a pillion in it gives two). */
  riderHeads: number;
  heads: number;
  covered: number;
  inferences: number;
  noInference: number;
  sceneMs: number;
}
const tally = (): Tally => ({ frames: 0, motorcycles: 0, riders: 0, riderHeads: 0, heads: 0, covered: 0, inferences: 0, noInference: 0, sceneMs: 0 });

/** Counts one analysis; `heads` are ground-truth head boxes (covered: matched to a rider's head box as the eval matches, matchHeads). */
function count(t: Tally, a: FrameAnalysis, heads: readonly Box[] = []): void {
  t.frames++;
  t.motorcycles += a.motorcycles.length;
  const riders = a.motorcycles.flatMap((m) => m.riders);
  t.riderHeads += riders.length;
  t.riders += ridingPersons(riders);
  const n = a.scan ? (a.scan.mode === 'none' ? 0 : a.scan.regions.length) : 1;
  t.inferences += n;
  if (n === 0) t.noInference++;
  t.sceneMs += a.timings['scene.model'] ?? 0;
  t.heads += heads.length;
  t.covered += matchHeads(heads, riders).filter((r) => r !== null).length;
}

async function save(a: FrameAnalysis, name: string): Promise<void> {
  if (!outDir) return;
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, `${name}.jpg`), await annotatedJpeg(a, 80));
}

interface Still {
  file: string;
  heads: Box[];
}

function vocHeads(xmlFile: string): Box[] {
  if (!existsSync(xmlFile)) return [];
  const out: Box[] = [];
  for (const m of readFileSync(xmlFile, 'utf8').matchAll(/<object>([\s\S]*?)<\/object>/g)) {
    const num = (tag: string): number => Number(new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(m[1]!)?.[1]);
    const b = { x1: num('xmin'), y1: num('ymin'), x2: num('xmax'), y2: num('ymax') };
    if (/Helmet/.test(m[1]!) && b.x2 > b.x1 && b.y2 > b.y1 && b.x2 < 5000) out.push(b);
  }
  return out;
}

function sharedStills(): Still[] {
  const vn = readdirSync(join(mediaDir, 'vn')).filter((f) => /\.(jpg|png)$/.test(f) && !f.includes('_plate'));
  const bikes = readdirSync(join(mediaDir, 'bikeshelmets')).filter((f) => f.endsWith('.png'));
  return [
    ...vn.map((f) => ({ file: join(mediaDir, 'vn', f), heads: [] })),
    { file: join(mediaDir, 'in/nhutanh_1.mp4_186.jpg'), heads: [] },
    ...bikes.map((f) => ({ file: join(mediaDir, 'bikeshelmets', f), heads: vocHeads(join(mediaDir, 'bikeshelmets', f.replace(/\.png$/, '.xml'))) })),
  ];
}

/** helmet-frames val images with their YOLO head boxes; the labels are normalised, converted on load. */
function valStills(): Array<Still & { yolo: string }> {
  const dir = join(datasetsDir, 'helmet-frames');
  if (!existsSync(join(dir, 'images/val'))) return [];
  return readdirSync(join(dir, 'images/val'))
    .filter((f) => f.endsWith('.jpg'))
    .sort()
    .slice(0, valLimit)
    .map((f) => ({ file: join(dir, 'images/val', f), heads: [], yolo: join(dir, 'labels/val', f.replace(/\.jpg$/, '.txt')) }));
}

function yoloHeads(file: string, w: number, h: number): Box[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((l) => l.trim().split(/\s+/).map(Number))
    .filter((v) => v.length === 5 && v.every(Number.isFinite))
    .map(([, cx, cy, bw, bh]) => ({ x1: (cx! - bw! / 2) * w, y1: (cy! - bh! / 2) * h, x2: (cx! + bw! / 2) * w, y2: (cy! + bh! / 2) * h }));
}

async function runStills(d: InThreadDetector, stills: ReadonlyArray<Still & { yolo?: string }>, label: string): Promise<Tally> {
  const t = tally();
  for (const s of stills) {
    const f = await loadImageFrame(s.file);
    const heads = s.yolo ? yoloHeads(s.yolo, f.width, f.height) : s.heads;
    const a = await d.analyze(f);
    count(t, a, heads);
    if (!s.yolo) await save(a, `${label}-${basename(s.file).replace(/\.\w+$/, '')}`);
  }
  return t;
}

/** Every frame of a video at the config's detect size and rate (ffmpeg decodes; RGB24). */
async function clipFrames(file: string, width: number, height: number, fps: number): Promise<Frame[]> {
  const ff = spawn('ffmpeg', ['-v', 'error', '-i', file, '-vf', `fps=${fps},scale=${width}:${height}`, '-pix_fmt', 'rgb24', '-f', 'rawvideo', 'pipe:1']);
  const chunks: Buffer[] = [];
  ff.stdout.on('data', (c: Buffer) => chunks.push(c));
  const code = await new Promise<number | null>((r) => ff.on('close', r));
  if (code !== 0) throw new Error(`ffmpeg could not decode ${file} (exit ${code})`);
  const all = Buffer.concat(chunks);
  const size = width * height * 3;
  return Array.from({ length: Math.floor(all.length / size) }, (_, i) => ({
    seq: i,
    width,
    height,
    data: new Uint8Array(all.subarray(i * size, (i + 1) * size)),
    capturedAt: i * (1000 / fps),
  }));
}

async function runClip(d: InThreadDetector, frames: readonly Frame[], label: string, saveEvery: number): Promise<Tally> {
  const t = tally();
  for (const f of frames) {
    const a = await d.analyze({ ...f, data: f.data });
    count(t, a);
    if (saveEvery > 0 && f.seq % saveEvery === 0) await save(a, `${label}-${String(f.seq).padStart(4, '0')}`);
  }
  return t;
}

const rows: string[][] = [['set', 'mode', 'frames', 'motorcycles', 'riders', 'rider heads', 'heads covered', 'inferences', 'no-inference frames', 'scene ms/frame']];
function row(set: string, mode: string, t: Tally): void {
  rows.push([
    set,
    mode,
    String(t.frames),
    String(t.motorcycles),
    String(t.riders),
    String(t.riderHeads),
    t.heads > 0 ? `${t.covered}/${t.heads}` : '-',
    String(t.inferences),
    String(t.noInference),
    (t.sceneMs / Math.max(1, t.frames)).toFixed(1),
  ]);
}

async function main(): Promise<void> {
  if (!existsSync(join(modelsDir, 'coco'))) {
    console.log(`SKIPPED: no models in ${modelsDir}`);
    return;
  }
  const loaded = config();
  const open = (scan: ScanMode): Promise<InThreadDetector> => createDetector(loaded, silentLogger(), { plates: 'suspects', scan });
  const { width, height, fps } = loaded.config.camera.detect;

  const whole = await open('whole');
  const tiles = await open('tiles');
  const stills = sharedStills();
  row(`shared frames (${stills.length})`, 'whole', await runStills(whole, stills, 'whole'));
  row('', 'tiles', await runStills(tiles, stills, 'tiles'));
  const val = valStills();
  if (val.length > 0) {
    row(`helmet-frames val (${val.length})`, 'whole', await runStills(whole, val, 'whole'));
    row('', 'tiles', await runStills(tiles, val, 'tiles'));
  }
  await tiles.close();

  const clips = [join(mediaDir, 'in/nhutanh_test1.mp4'), ...argAll('--clip')];
  for (const clip of clips) {
    const frames = await clipFrames(clip, width, height, fps);
    const name = basename(clip).replace(/\.\w+$/, '');
    row(`${name} (${width}x${height} @${fps})`, 'whole', await runClip(whole, frames, `${name}-whole`, 0));
    const regions = await open('regions');
    row('', 'regions', await runClip(regions, frames, `${name}-regions`, Math.max(1, Math.floor(frames.length / 8))));
    await regions.close();
  }
  await whole.close();

  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  for (const r of rows) console.log(r.map((cell, c) => cell.padEnd(widths[c]!)).join('  '));
  console.log('riders = person boxes taken as riders of a motorcycle; rider heads = rider entries, one per head judged in those boxes (a pillion in the driver\'s box is a second); heads covered = labelled heads matched to a rider head box, one to one (one box at least half inside the other), as npm run eval counts them.');
  if (outDir) console.log(`annotated frames in ${resolve(outDir)}`);
}

await main();
