// Where the agent's resident memory goes: each step in a fresh child process (so one does not
// inherit another's heap), RSS split into anonymous (heaps, buffers, arenas) and file-backed
// (shared libraries, models) pages from /proc/self/smaps_rollup.
//
//   npx tsx bench/memory.ts [--frames 40] [--env MALLOC_ARENA_MAX=2 ...]
//
// Steps: node alone; + sharp and onnxruntime-node loaded; + the four sessions opened in this
// thread; + 40 frames of the demo clip through the whole pipeline; the same in a worker thread
// (as the agent runs it). Each step's child runs with the systemd unit's environment plus --env.
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type * as LoadModule from '../src/config/load.js';
import type * as DetectorModule from '../src/detect/detector.js';
import type * as WorkerModule from '../src/detect/worker-detector.js';
import type * as LoggerModule from '../src/shared/logger.js';
import type { Frame } from '../src/shared/types.js';
import { unitEnvironment } from './run-agent.js';
import { smapsMb } from './run-procs.js';

const ROOT = join(import.meta.dirname, '..');
const { values } = parseArgs({
  options: { child: { type: 'string' }, steps: { type: 'string' }, frames: { type: 'string', default: '40' }, env: { type: 'string', multiple: true, default: [] } },
});

async function child(step: string): Promise<void> {
  const frames = Number(values.frames);
  // dist/, as the agent runs (under tsx the worker would compile the sources again).
  const dist = (m: string): string => join(ROOT, 'dist', m);
  const { loadConfig } = (await import(dist('config/load.js'))) as typeof LoadModule;
  const { silentLogger } = (await import(dist('shared/logger.js'))) as typeof LoggerModule;
  const models = process.env.ROADSIDE_MODELS_DIR ?? join(ROOT, '../shared/models');
  const loaded = loadConfig(join(ROOT, 'config.json'), { env: { ROADSIDE_MODELS_DIR: models } });
  loaded.modelsDir = models;
  if (step !== 'node') {
    const sharp = (await import('sharp')).default;
    sharp.cache(false);
    sharp.concurrency(1);
    await import('onnxruntime-node');
  }
  let detector: { analyze(f: Frame): Promise<unknown>; close(): Promise<void> } | null = null;
  if (step === 'sessions' || step === 'analyze') detector = await ((await import(dist('detect/detector.js'))) as typeof DetectorModule).createDetector(loaded, silentLogger(), { scan: 'regions' });
  if (step === 'worker') detector = await ((await import(dist('detect/worker-detector.js'))) as typeof WorkerModule).createWorkerDetector(loaded, silentLogger(), { scan: 'regions' });
  let held = 0;
  let cpuMsPerFrame = NaN;
  if (detector && step !== 'sessions') {
    const { width, height } = loaded.config.camera.detect;
    const raw = execFileSync('ffmpeg', ['-v', 'error', '-i', join(ROOT, '../shared/media/in/nhutanh_test1.mp4'), '-frames:v', '4', '-vf', `scale=${width}:${height}`,
      '-pix_fmt', 'rgb24', '-f', 'rawvideo', 'pipe:1'], { maxBuffer: 1 << 30 });
    const size = width * height * 3;
    const n = Math.floor(raw.length / size);
    held = raw.length / 2 ** 20;
    const t0 = process.cpuUsage();
    for (let i = 0; i < frames; i++) {
      const data = new Uint8Array(size);
      data.set(raw.subarray((i % n) * size, ((i % n) + 1) * size));
      await detector.analyze({ seq: i, width, height, data, capturedAt: i * 200 });
    }
    const cpu = process.cpuUsage(t0);
    cpuMsPerFrame = (cpu.user + cpu.system) / 1000 / frames;
  }
  await new Promise((r) => setTimeout(r, 500));
  const m = process.memoryUsage();
  const r = smapsMb('self')!;
  // The probe's own decoded frames are not the agent's: taken out of anon and RSS.
  console.log(JSON.stringify({ step, rss: r.rss - held, anon: r.anonymous - held, file: r.file, cpuMsPerFrame, heap: m.heapTotal / 2 ** 20, external: m.external / 2 ** 20, arrayBuffers: m.arrayBuffers / 2 ** 20 }));
  await detector?.close();
}

function main(): void {
  const extra = Object.fromEntries(values.env.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
  const env = { ...process.env, ...unitEnvironment(), ...extra };
  console.log(`env: ${Object.entries({ ...unitEnvironment(), ...extra }).map(([k, v]) => `${k}=${v}`).join(' ')}`);
  console.log('step        RSS MB   anon   file   V8 heap  external  (MB)  CPU ms/frame (process, both threads)');
  const steps = values.steps ? values.steps.split(',') : ['node', 'libs', 'sessions', 'analyze', 'worker'];
  for (const step of steps) {
    const out = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'bench/memory.ts'), '--child', step, '--frames', values.frames], { env, encoding: 'utf8' });
    const line = out.stdout.split('\n').find((l) => l.startsWith('{'));
    if (!line) {
      console.log(`${step}: failed: ${out.stderr.slice(-500)}`);
      continue;
    }
    const r = JSON.parse(line) as Record<string, number>;
    const f = (k: string): string => r[k]!.toFixed(0).padStart(6);
    console.log(`${step.padEnd(10)} ${f('rss')} ${f('anon')} ${f('file')} ${f('heap')} ${f('external')}  ${Number.isFinite(r.cpuMsPerFrame) ? r.cpuMsPerFrame!.toFixed(1).padStart(8) : ''}`);
  }
}

if (values.child) await child(values.child);
else main();
