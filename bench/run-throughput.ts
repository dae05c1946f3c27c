// Bench sections 1-3: frames/s of each stage alone (ffmpeg decode, the model chain), of the
// whole pipeline (A: the real CLI; B: the same modules wired in-process by run-harness.ts)
// and of the peer (OpenCV VideoCapture + DNN, scene model only), with full models and with
// plates off. Ratios are taken within each repetition, then the median over repetitions.
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type LoadedConfig } from '../src/config/load.js';
import type { Frame } from '../src/shared/types.js';
import { CLIP, MODELS_DIR, ROOT, ms, runAgentToEnd, writeConfig, type AgentLine } from './run-agent.js';
import { harnessRun } from './run-harness.js';
import { PYTHON, spawnTracked } from './run-procs.js';
import type { Report } from './run-report.js';
import { decodeAlone, modelChain, predecode, type ModelChain } from './run-stages.js';
import { fmt, median, spread, table } from './run-stats.js';

export interface ThroughputOptions {
  dir: string;
  db: string;
  /** The clip looped `loops` times, `frames` frames in all. */
  file: string;
  frames: number;
  loops: number;
  reps: number;
  /** Frames the model chain alone runs per repetition. */
  modelFrames: number;
  peerFrames: number;
  /** `--skip peer`: no OpenCV peer (its ratios are n/a and not judged). */
  skipPeer: boolean;
}

interface PipelineSample {
  processed: number;
  received: number;
  fps: number;
}

function pipelineSample(lines: readonly AgentLine[]): PipelineSample {
  const online = lines.find((l) => l.event === 'camera_online');
  const ended = lines.find((l) => l.event === 'camera_finished');
  const finished = lines.find((l) => l.msg === 'source finished');
  if (!online || !finished || !ended) throw new Error('pipeline run: missing camera_online / camera_finished / source finished in the log');
  const processed = Number(finished.frames);
  return { processed, received: Number(ended.frames), fps: (processed * 1000) / (ms(finished) - ms(online)) };
}

async function peer(file: string, frames: number): Promise<{ fps: number; decodeMs: number; modelMs: number; opencv: string }> {
  const child = spawnTracked(PYTHON, [join(ROOT, 'bench/peer_opencv.py'), file, join(MODELS_DIR, 'coco/yolox_nano.onnx'), '--frames', String(frames)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-2000)));
  const code = await new Promise<number | null>((res) => child.once('close', res));
  if (code !== 0) throw new Error(`peer exited ${code}: ${err}`);
  const r = JSON.parse(out.trim().split('\n').pop()!) as { fps: number; decode_ms: number; model_ms: number; opencv: string };
  return { fps: r.fps, decodeMs: r.decode_ms, modelMs: r.model_ms, opencv: r.opencv };
}

/**
 * The configs measured: the example config as shipped, the same with plates off, and (model
 * chain and CLI only) with every suspect motorcycle's plate searched on every frame
 * (plates.per_track off, as before it existed).
 */
interface Variants {
  full: string;
  scene: string;
  every: string;
  loadedFull: LoadedConfig;
  loadedScene: LoadedConfig;
  chainFull: ModelChain;
  chainScene: ModelChain;
  chainEvery: ModelChain;
  clipFrames: Frame[];
}

type Row = Record<string, number>;

/**
 * One repetition of every measurement, in this order; the row holds its figures and ratios
 * (its type is inferred: every key named, so the rep line below reads them without checks).
 */
async function repetition(o: ThroughputOptions, v: Variants) {
  const dec = await decodeAlone(v.loadedFull, o.file);
  const mFull = await v.chainFull.run(v.clipFrames, o.modelFrames);
  const mScene = await v.chainScene.run(v.clipFrames, o.modelFrames);
  const mEvery = await v.chainEvery.run(v.clipFrames, o.modelFrames);
  const pFull = pipelineSample((await runAgentToEnd(['run', '-c', v.full], 120_000)).lines);
  const pScene = pipelineSample((await runAgentToEnd(['run', '-c', v.scene], 120_000)).lines);
  const pEvery = pipelineSample((await runAgentToEnd(['run', '-c', v.every], 120_000)).lines);
  const hFull = await harnessRun(v.loadedFull, 'lossless', o.dir);
  const hScene = await harnessRun(v.loadedScene, 'lossless', o.dir);
  const pr = o.skipPeer ? { fps: NaN, decodeMs: NaN, modelMs: NaN, opencv: '' } : await peer(o.file, o.peerFrames);
  const peerInfo = `OpenCV ${pr.opencv}: decode ${fmt(pr.decodeMs)} ms + letterbox/DNN/NMS ${fmt(pr.modelMs)} ms per frame`;
  const row = {
    decode: dec.fps,
    decodeCpu: dec.cpuMsPerFrame,
    modelFull: mFull.fps,
    modelScene: mScene.fps,
    modelEvery: mEvery.fps,
    pipeFull: pFull.fps,
    pipeEvery: pEvery.fps,
    pipeEveryDropped: pEvery.received - pEvery.processed,
    pipeFullDropped: pFull.received - pFull.processed,
    pipeFullProcessed: pFull.processed,
    pipeScene: pScene.fps,
    pipeSceneDropped: pScene.received - pScene.processed,
    harnFull: hFull.fps,
    harnFullCores: hFull.cores,
    harnSceneCores: hScene.cores,
    harnScene: hScene.fps,
    harnFullDropped: hFull.dropped,
    harnSceneDropped: hScene.dropped,
    hRatioFull: hFull.fps / Math.min(dec.fps, mFull.fps),
    hRatioScene: hScene.fps / Math.min(dec.fps, mScene.fps),
    hPeerFull: hFull.fps / pr.fps,
    hPeerScene: hScene.fps / pr.fps,
    peer: pr.fps,
    ratioFull: pFull.fps / Math.min(dec.fps, mFull.fps),
    ratioScene: pScene.fps / Math.min(dec.fps, mScene.fps),
    ratioEvery: pEvery.fps / Math.min(dec.fps, mEvery.fps),
    peerFull: pFull.fps / pr.fps,
    peerEvery: pEvery.fps / pr.fps,
    peerScene: pScene.fps / pr.fps,
  };
  return { row, steps: mFull.steps, peerInfo };
}

export async function throughput(o: ThroughputOptions, report: Report): Promise<void> {
  const { log } = report;
  const source = { url: o.file, loop: false, realtime: false };
  const central = { database: o.db };
  const full = writeConfig(o.dir, 'throughput-full', { camera: { source }, central });
  const scene = writeConfig(o.dir, 'throughput-noplates', { camera: { source }, central }, (cfg) => {
    (cfg.models as Record<string, unknown>).plate_locator = { type: 'none' };
  });
  const every = writeConfig(o.dir, 'throughput-plates-every-frame', { camera: { source }, central, plates: { per_track: { settle_reads: 0, max_gap_frames: 0 } } });
  const loadedFull = loadConfig(full);
  const loadedScene = loadConfig(scene);
  const c = loadedFull.config;
  log(`== 1-3. stages alone, pipeline, peer: ${o.frames} frames of ${CLIP.split('/').pop()} (1920x1080, 5 fps) looped ×${o.loops}`);
  log(
    `   capture → ${c.camera.detect.width}x${c.camera.detect.height} rgb24 @ ${c.camera.detect.fps} fps, ffmpeg -threads 1; ` +
      `models: ${c.models.scene.path} + ${c.models.helmet.type} + plate ${c.models.plate_locator.type}/${c.models.plate_reader.type}, ` +
      `intra_op_threads ${c.models.intra_op_threads}, plates_for ${c.models.plates_for}, helmet threshold ${c.models.helmet.type === 'classifier' ? c.models.helmet.threshold : '-'}`,
  );
  const clipFrames = await predecode(loadedFull, CLIP);
  const chainFull = await modelChain(loadedFull);
  const chainScene = await modelChain(loadedScene);
  const chainEvery = await modelChain(loadConfig(every));
  const v: Variants = { full, scene, every, loadedFull, loadedScene, chainFull, chainScene, chainEvery, clipFrames };
  const rows: Row[] = [];
  let steps: Record<string, number> = {};
  let peerInfo = '';
  try {
    for (let rep = 0; rep < o.reps; rep++) {
      const r = await repetition(o, v);
      const row = r.row;
      steps = r.steps;
      peerInfo = r.peerInfo;
      rows.push(row);
      log(
        `   rep ${rep + 1} (load ${loadavg()[0]!.toFixed(2)}): decode ${fmt(row.decode)}  model ${fmt(row.modelFull)} (no plates ${fmt(row.modelScene)}, every frame ${fmt(row.modelEvery)})  ` +
          `CLI ${fmt(row.pipeFull)} (no plates ${fmt(row.pipeScene)}, every frame ${fmt(row.pipeEvery)})  lossless ${fmt(row.harnFull)} (no plates ${fmt(row.harnScene)})  peer ${fmt(row.peer)} fps`,
      );
    }
  } finally {
    await chainFull.close();
    await chainScene.close();
    await chainEvery.close();
  }
  log('');
  printTable(o, rows, report);
  printNotes(c, steps, peerInfo, report);
  judge(o, rows, report);
}

const column = (rows: readonly Row[], k: string): number[] => rows.map((r) => r[k]!);

function printTable(o: ThroughputOptions, rows: readonly Row[], { log }: Report): void {
  const col = (k: string): number[] => column(rows, k);
  log(
    table([
      ['frames/s (median [min–max] of ' + o.reps + ')', 'full models', 'plates off', 'plates every frame'],
      ['ffmpeg decode alone (' + fmt(median(col('decodeCpu'))) + ' ms CPU/frame)', spread(col('decode')), spread(col('decode')), spread(col('decode'))],
      ['model chain alone (in-thread, pre-decoded)', spread(col('modelFull')), spread(col('modelScene')), spread(col('modelEvery'))],
      ['A. pipeline: CLI `run` (the agent as shipped)', spread(col('pipeFull')), spread(col('pipeScene')), spread(col('pipeEvery'))],
      [`   frames dropped of ${o.frames}`, spread(col('pipeFullDropped'), 0), spread(col('pipeSceneDropped'), 0), spread(col('pipeEveryDropped'), 0)],
      ['   A / slowest stage (same rep; goal ≥ 0.9)', spread(col('ratioFull'), 2), spread(col('ratioScene'), 2), spread(col('ratioEvery'), 2)],
      ['B. pipeline: bench/run-harness.ts, same modules', spread(col('harnFull')), spread(col('harnScene'))],
      [`   frames dropped of ${o.frames}`, spread(col('harnFullDropped'), 0), spread(col('harnSceneDropped'), 0)],
      ['   CPU cores B used (agent threads + ffmpeg; box has 2)', spread(col('harnFullCores'), 2), spread(col('harnSceneCores'), 2)],
      ['   B / slowest stage (same rep; goal ≥ 0.9)', spread(col('hRatioFull'), 2), spread(col('hRatioScene'), 2)],
      [`peer OpenCV DNN + VideoCapture (scene only, ${o.peerFrames} frames)`, spread(col('peer')), spread(col('peer'))],
      ['A / peer (same rep; goal ≥ 3)', spread(col('peerFull'), 2), spread(col('peerScene'), 2), spread(col('peerEvery'), 2)],
      ['B / peer (same rep; goal ≥ 3)', spread(col('hPeerFull'), 2), spread(col('hPeerScene'), 2)],
    ]),
  );
}

function printNotes(c: LoadedConfig['config'], steps: Record<string, number>, peerInfo: string, { log }: Report): void {
  log(`   model chain steps, mean ms per frame: ${Object.entries(steps).map(([k, v]) => `${k} ${fmt(v, 2)}`).join(', ')}`);
  log(`   peer: ${peerInfo}; it runs only the scene model (YOLOX-Nano) on each frame,`);
  log('   ours also runs the helmet classifier per rider and (full models) plate location + OCR per suspect motorcycle;');
  log('   "plates off" = models.plate_locator {type: none} (the helmet classifier cannot be switched off by config);');
  log('   "plates every frame" = plates.per_track off (every suspect motorcycle searched on every frame; A and the chain only).');
  log(`   pipeline fps = frames processed / (first frame received → end); A from the agent's own log lines. For a file`);
  log('   read as fast as possible the agent hands frames over lossless (ffmpeg waits for the pipeline) and recycles');
  log('   frame buffers; B is the same modules wired in-process (FrameSource → worker detector → violation stage → queue).');
  log(`   Our frames are ${c.camera.detect.width}x${c.camera.detect.height} (ffmpeg scales); the peer letterboxes full 1080p frames itself.`);
  log('');
}

function judge(o: ThroughputOptions, rows: readonly Row[], { goal }: Report): void {
  for (const [label, key, target, isPeer] of [
    ['A CLI / slowest stage (full models)', 'ratioFull', 0.9, false],
    ['B lossless / slowest stage (full models)', 'hRatioFull', 0.9, false],
    ['B lossless / slowest stage (plates off)', 'hRatioScene', 0.9, false],
    ['A CLI / peer fps (full models)', 'peerFull', 3, true],
    ['B lossless / peer fps (full models)', 'hPeerFull', 3, true],
    ['B lossless / peer fps (plates off)', 'hPeerScene', 3, true],
  ] as const) {
    const v = median(column(rows, key));
    goal(label, isPeer ? `${fmt(v, 2)}×` : fmt(v, 2), isPeer ? '≥ 3×' : '≥ 0.9', isPeer && o.skipPeer ? null : v >= target);
  }
}
