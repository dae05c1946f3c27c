// Each stage alone, at the pipeline's own settings: ffmpeg decode (the argv capture builds,
// into a pipe this process drains) and the model chain (the in-thread detector, same config,
// same intra-op threads) on frames decoded beforehand.
import pino from 'pino';
import { buildFfmpegArgs, toArgv } from '../src/capture/index.js';
import type { LoadedConfig } from '../src/config/load.js';
import { createDetector } from '../src/detect/detector.js';
import type { Frame } from '../src/shared/types.js';
import { cpuSeconds, spawnTracked } from './run-procs.js';

function fileCamera(loaded: LoadedConfig, file: string): Parameters<typeof buildFfmpegArgs>[0] {
  const c = loaded.config.camera;
  return { ...c, source: { ...c.source, url: file, loop: false, realtime: false } };
}

export interface DecodeSample {
  frames: number;
  /** frames/s from the first byte to the end of the stream. */
  fps: number;
  /** ffmpeg CPU ms per frame. */
  cpuMsPerFrame: number;
}

/**
 * ffmpeg alone, exactly as capture runs it (threads, fps and scale filters, rgb24), as fast as
 * it goes.
 */
export async function decodeAlone(loaded: LoadedConfig, file: string): Promise<DecodeSample> {
  const inv = buildFfmpegArgs(fileCamera(loaded, file));
  const argv = toArgv(inv);
  const child = spawnTracked('ffmpeg', argv, { stdio: ['ignore', 'pipe', 'ignore'] });
  let bytes = 0;
  let first = 0;
  let cpu = 0;
  child.stdout!.on('data', (chunk: Buffer) => {
    if (bytes === 0) first = performance.now();
    bytes += chunk.length;
    cpu = cpuSeconds(child.pid!) ?? cpu;
  });
  const code = await new Promise<number | null>((res) => child.once('close', res));
  const end = performance.now();
  if (code !== 0) throw new Error(`ffmpeg exited ${code}`);
  const frames = Math.floor(bytes / inv.frameBytes);
  return { frames, fps: (frames * 1000) / (end - first), cpuMsPerFrame: (cpu * 1000) / frames };
}

/** Every frame of `file` at the detect size, as capture would hand them over. */
export async function predecode(loaded: LoadedConfig, file: string): Promise<Frame[]> {
  const inv = buildFfmpegArgs(fileCamera(loaded, file));
  const child = spawnTracked('ffmpeg', toArgv(inv), { stdio: ['ignore', 'pipe', 'ignore'] });
  const chunks: Buffer[] = [];
  child.stdout!.on('data', (c: Buffer) => chunks.push(c));
  const code = await new Promise<number | null>((res) => child.once('close', res));
  if (code !== 0) throw new Error(`ffmpeg exited ${code}`);
  const all = Buffer.concat(chunks);
  const frames: Frame[] = [];
  for (let i = 0; (i + 1) * inv.frameBytes <= all.length; i++) {
    const data = new Uint8Array(inv.frameBytes);
    data.set(all.subarray(i * inv.frameBytes, (i + 1) * inv.frameBytes));
    frames.push({ seq: i, width: inv.width, height: inv.height, data, capturedAt: 0 });
  }
  return frames;
}

export interface ModelSample {
  frames: number;
  fps: number;
  /** Mean ms per step (scene.model, helmet.model, plate…) over the timed frames. */
  steps: Record<string, number>;
}

export interface ModelChain {
  run(frames: readonly Frame[], count: number): Promise<ModelSample>;
  close(): Promise<void>;
}

/**
 * The detector in this thread, doing the agent's work (the agent runs the same code in a
 * worker): the scene scanned as the config says (motion-gated regions when enabled), and the
 * frames numbered on across loops of the clip as capture numbers a looped file, so motion,
 * regions and the plate budget see one continuous video.
 */
export async function modelChain(loaded: LoadedConfig): Promise<ModelChain> {
  const detector = await createDetector(loaded, pino({ level: 'warn' }), { scan: loaded.config.regions.enabled ? 'regions' : 'whole' });
  let seq = 0;
  const next = (f: Frame): Frame => ({ ...f, seq: seq++ });
  // warm-up: first runs allocate and JIT
  return {
    async run(frames, count) {
      for (let i = 0; i < Math.min(3, frames.length); i++) await detector.analyze(next(frames[i]!));
      const steps: Record<string, number> = {};
      const t0 = performance.now();
      for (let i = 0; i < count; i++) {
        const a = await detector.analyze(next(frames[i % frames.length]!));
        for (const [k, v] of Object.entries(a.timings)) steps[k] = (steps[k] ?? 0) + v;
      }
      const wall = performance.now() - t0;
      for (const k of Object.keys(steps)) steps[k] = steps[k]! / count;
      return { frames: count, fps: (count * 1000) / wall, steps };
    },
    close: () => detector.close(),
  };
}
