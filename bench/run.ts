// `npm run bench`: the agent measured against the targets of ../shared/design.md, in one run.
//
//   npx tsx bench/run.ts [--reps 3] [--rtsp-seconds 20] [--latency-seconds 30] [--scene-seconds 60]
//                        [--skip throughput,rtsp,latency,drain,scenes] [--only scenes]
//
// 1. stages alone on the same frames: ffmpeg decode at the pipeline's settings (capture's own
//    argv: -threads 1, fps + scale to camera.detect, rgb24) and the model chain (the detector
//    on pre-decoded frames, the config's intra-op threads), frames/s;
// 2. the whole pipeline (the real CLI `run`: capture → worker detector → violation stage →
//    queue → flush) on a file as fast as possible, frames processed/s, and its ratio to the
//    slowest stage of the same repetition (goal ≥ 0.9);
// 3. the peer (OpenCV VideoCapture + DNN, scene model only) on the same file, and our ratio
//    to it (goal ≥ 3×), also with plates off (plate_locator none) for a closer comparison;
// 4. CPU and RSS of one camera from an RTSP source (the GStreamer fixture on 127.0.0.1);
// 5. frame → MySQL latency (violations.received_at − last_seen_at);
// 6. backlog drain rates (bench/drain.ts as a child, when it exists);
// 7. a quiet scene and the busy clip in real time, whole frame vs motion-gated regions
//    (bench/run-scenes.ts; alone: `npm run bench -- --only scenes`).
// Medians of --reps repetitions with [min–max]; ratios are taken within each repetition.
// Every process started here is stopped at the end, whatever happens.
import { execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import mysql from 'mysql2/promise';
import { loadConfig } from '../src/config/load.js';
import { CLIP, MODELS_DIR, ROOT, ms, prepareMedia, runAgentToEnd, startAgent, writeConfig, type AgentLine } from './run-agent.js';
import { cpuSeconds, descendants, installCleanup, killAll, memoryMb, sleep, spawnTracked, stopProcess } from './run-procs.js';
import { harnessRun } from './run-harness.js';
import { sceneCosts } from './run-scenes.js';
import { decodeAlone, modelChain, predecode } from './run-stages.js';
import { fmt, freePort, median, percentile, spread, table } from './run-stats.js';

const { values } = parseArgs({
  options: {
    reps: { type: 'string', default: '3' },
    loops: { type: 'string', default: '10' },
    'model-frames': { type: 'string', default: '96' },
    'peer-frames': { type: 'string', default: '120' },
    'drain-count': { type: 'string', default: '3000' },
    'rtsp-seconds': { type: 'string', default: '20' },
    'latency-seconds': { type: 'string', default: '30' },
    'scene-seconds': { type: 'string', default: '60' },
    skip: { type: 'string', default: '' },
    only: { type: 'string', default: '' },
    'no-build': { type: 'boolean', default: false },
  },
});
const REPS = Number(values.reps);
const LOOPS = Number(values.loops);
const MODEL_FRAMES = Number(values['model-frames']);
const PEER_FRAMES = Number(values['peer-frames']);
const DRAIN_COUNT = Number(values['drain-count']);
const RTSP_SECONDS = Number(values['rtsp-seconds']);
const LATENCY_SECONDS = Number(values['latency-seconds']);
const SECTIONS = ['throughput', 'rtsp', 'latency', 'drain', 'scenes'];
const ONLY = new Set(values.only.split(',').filter(Boolean));
const SKIP = new Set([...values.skip.split(',').filter(Boolean), ...(ONLY.size > 0 ? SECTIONS.filter((x) => !ONLY.has(x)) : [])]);
const PYTHON = '/usr/bin/python3';
const MYSQL = { host: '127.0.0.1', port: 3306, user: 'root', password: '' };

const summary: string[][] = [['what', 'measured', 'goal', 'met']];
const goal = (what: string, measured: string, target: string, met: boolean | null): void => {
  summary.push([what, measured, target, met === null ? '-' : met ? 'yes' : 'NO']);
};
const log = (s = ''): void => console.log(s);

async function withDb<T>(fn: (db: mysql.Connection) => Promise<T>): Promise<T> {
  const db = await mysql.createConnection(MYSQL);
  try {
    return await fn(db);
  } finally {
    await db.end();
  }
}

// ---------------------------------------------------------------------------------------
// 1-3: stages alone, the pipeline, the peer

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

async function throughput(dir: string, db: string, file: string, frames: number): Promise<void> {
  const source = { url: file, loop: false, realtime: false };
  const central = { database: db };
  const full = writeConfig(dir, 'throughput-full', { camera: { source }, central });
  const scene = writeConfig(dir, 'throughput-noplates', { camera: { source }, central }, (cfg) => {
    (cfg.models as Record<string, unknown>).plate_locator = { type: 'none' };
  });
  const loadedFull = loadConfig(full);
  const loadedScene = loadConfig(scene);
  const c = loadedFull.config;
  log(`== 1-3. stages alone, pipeline, peer: ${frames} frames of ${CLIP.split('/').pop()} (1920x1080, 5 fps) looped ×${LOOPS}`);
  log(
    `   capture → ${c.camera.detect.width}x${c.camera.detect.height} rgb24 @ ${c.camera.detect.fps} fps, ffmpeg -threads 1; ` +
      `models: ${c.models.scene.path} + ${c.models.helmet.type} + plate ${c.models.plate_locator.type}/${c.models.plate_reader.type}, ` +
      `intra_op_threads ${c.models.intra_op_threads}, plates_for ${c.models.plates_for}, helmet threshold ${c.models.helmet.type === 'classifier' ? c.models.helmet.threshold : '-'}`,
  );
  const clipFrames = await predecode(loadedFull, CLIP);
  const chainFull = await modelChain(loadedFull);
  const chainScene = await modelChain(loadedScene);
  const rows: Array<Record<string, number>> = [];
  let steps: Record<string, number> = {};
  let peerInfo = '';
  try {
    for (let rep = 0; rep < REPS; rep++) {
      const dec = await decodeAlone(loadedFull, file);
      const mFull = await chainFull.run(clipFrames, MODEL_FRAMES);
      const mScene = await chainScene.run(clipFrames, MODEL_FRAMES);
      steps = mFull.steps;
      const pFull = pipelineSample((await runAgentToEnd(['run', '-c', full], 120_000)).lines);
      const pScene = pipelineSample((await runAgentToEnd(['run', '-c', scene], 120_000)).lines);
      const hFull = await harnessRun(loadedFull, 'lossless', dir);
      const hScene = await harnessRun(loadedScene, 'lossless', dir);
      const pr = SKIP.has('peer') ? { fps: NaN, decodeMs: NaN, modelMs: NaN, opencv: '' } : await peer(file, PEER_FRAMES);
      peerInfo = `OpenCV ${pr.opencv}: decode ${fmt(pr.decodeMs)} ms + letterbox/DNN/NMS ${fmt(pr.modelMs)} ms per frame`;
      const row = {
        decode: dec.fps,
        decodeCpu: dec.cpuMsPerFrame,
        modelFull: mFull.fps,
        modelScene: mScene.fps,
        pipeFull: pFull.fps,
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
        peerFull: pFull.fps / pr.fps,
        peerScene: pScene.fps / pr.fps,
      };
      rows.push(row);
      log(
        `   rep ${rep + 1} (load ${loadavg()[0]!.toFixed(2)}): decode ${fmt(row.decode)}  model ${fmt(row.modelFull)} (no plates ${fmt(row.modelScene)})  ` +
          `CLI ${fmt(row.pipeFull)} (no plates ${fmt(row.pipeScene)})  lossless ${fmt(row.harnFull)} (no plates ${fmt(row.harnScene)})  peer ${fmt(row.peer)} fps`,
      );
    }
  } finally {
    await chainFull.close();
    await chainScene.close();
  }
  const col = (k: string): number[] => rows.map((r) => r[k]!);
  log('');
  log(
    table([
      ['frames/s (median [min–max] of ' + REPS + ')', 'full models', 'plates off'],
      ['ffmpeg decode alone (' + fmt(median(col('decodeCpu'))) + ' ms CPU/frame)', spread(col('decode')), spread(col('decode'))],
      ['model chain alone (in-thread, pre-decoded)', spread(col('modelFull')), spread(col('modelScene'))],
      ['A. pipeline: CLI `run` (the agent as shipped)', spread(col('pipeFull')), spread(col('pipeScene'))],
      [`   frames dropped of ${frames}`, spread(col('pipeFullDropped'), 0), spread(col('pipeSceneDropped'), 0)],
      ['   A / slowest stage (same rep; goal ≥ 0.9)', spread(col('ratioFull'), 2), spread(col('ratioScene'), 2)],
      ['B. pipeline: bench/run-harness.ts, same modules', spread(col('harnFull')), spread(col('harnScene'))],
      [`   frames dropped of ${frames}`, spread(col('harnFullDropped'), 0), spread(col('harnSceneDropped'), 0)],
      ['   CPU cores B used (agent threads + ffmpeg; box has 2)', spread(col('harnFullCores'), 2), spread(col('harnSceneCores'), 2)],
      ['   B / slowest stage (same rep; goal ≥ 0.9)', spread(col('hRatioFull'), 2), spread(col('hRatioScene'), 2)],
      [`peer OpenCV DNN + VideoCapture (scene only, ${PEER_FRAMES} frames)`, spread(col('peer')), spread(col('peer'))],
      ['A / peer (same rep; goal ≥ 3)', spread(col('peerFull'), 2), spread(col('peerScene'), 2)],
      ['B / peer (same rep; goal ≥ 3)', spread(col('hPeerFull'), 2), spread(col('hPeerScene'), 2)],
    ]),
  );
  log(`   model chain steps, mean ms per frame: ${Object.entries(steps).map(([k, v]) => `${k} ${fmt(v, 2)}`).join(', ')}`);
  log(`   peer: ${peerInfo}; it runs only the scene model (YOLOX-Nano) on each frame,`);
  log('   ours also runs the helmet classifier per rider and (full models) plate location + OCR per suspect motorcycle;');
  log('   "plates off" = models.plate_locator {type: none} (the helmet classifier cannot be switched off by config).');
  log(`   pipeline fps = frames processed / (first frame received → end); A from the agent's own log lines. For a file`);
  log('   read as fast as possible the agent hands frames over lossless (ffmpeg waits for the pipeline) and recycles');
  log('   frame buffers; B is the same modules wired in-process (FrameSource → worker detector → violation stage → queue).');
  log(`   Our frames are ${c.camera.detect.width}x${c.camera.detect.height} (ffmpeg scales); the peer letterboxes full 1080p frames itself.`);
  log('');
  for (const [label, key, target, isPeer] of [
    ['A CLI / slowest stage (full models)', 'ratioFull', 0.9, false],
    ['B lossless / slowest stage (full models)', 'hRatioFull', 0.9, false],
    ['B lossless / slowest stage (plates off)', 'hRatioScene', 0.9, false],
    ['A CLI / peer fps (full models)', 'peerFull', 3, true],
    ['B lossless / peer fps (full models)', 'hPeerFull', 3, true],
    ['B lossless / peer fps (plates off)', 'hPeerScene', 3, true],
  ] as const) {
    const v = median(col(key));
    goal(label, isPeer ? `${fmt(v, 2)}×` : fmt(v, 2), isPeer ? '≥ 3×' : '≥ 0.9', isPeer && SKIP.has('peer') ? null : v >= target);
  }
}

// ---------------------------------------------------------------------------------------
// 4: CPU and memory of one camera from RTSP

interface RtspServer {
  child: ChildProcess;
  port: number;
}

async function startRtsp(live: { width: number; height: number; fps: number }): Promise<RtspServer> {
  // stdin stays a pipe: the fixture quits when it closes, so it cannot outlive the bench.
  const args = [join(ROOT, 'test/fixtures/rtsp_server.py'), '--port', '0', '--width', String(live.width), '--height', String(live.height), '--fps', String(live.fps)];
  const child = spawnTracked(PYTHON, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-2000)));
  const port = await new Promise<number>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`RTSP fixture not ready: ${err}`)), 15_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /READY port=(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        res(Number(m[1]));
      }
    });
    child.once('exit', () => rej(new Error(`RTSP fixture exited: ${err}`)));
  });
  return { child, port };
}

async function scrape(port: number): Promise<Record<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = /^(roadside_frames_\w+_total) (\S+)$/.exec(line);
    if (m) out[m[1]!] = Number(m[2]);
  }
  return out;
}

interface CameraCost {
  agentCores: number[];
  ffmpegCores: number[];
  agentRss: number;
  ffmpegRss: number;
  agentHwm: number;
  ffmpegHwm: number;
  processedFps: number;
  receivedFps: number;
}

/** A camera source: the RTSP fixture's live pattern, or a file played in real time (looped). */
type CameraSource = { live: { width: number; height: number; fps: number } } | { file: string };

async function cameraCost(dir: string, db: string, name: string, src: CameraSource, detect: { width: number; height: number }): Promise<CameraCost> {
  const server = 'live' in src ? await startRtsp(src.live) : null;
  const port = await freePort();
  const source = server ? { url: `rtsp://127.0.0.1:${server.port}/live` } : { url: (src as { file: string }).file, loop: true, realtime: true };
  const cfg = writeConfig(dir, `camera-${name}`, {
    camera: { source, detect: { ...detect, fps: 5 } },
    central: { database: db },
    operate: { health: { port } },
  });
  const agent = startAgent(['run', '-c', cfg], unitEnvironment());
  try {
    await agent.waitFor((l) => l.event === 'camera_online', 60_000, 'camera online');
    await sleep(3000); // past the start-up (model loading, first frames)
    const ff = descendants(agent.pid).find((d) => d.comm === 'ffmpeg');
    if (!ff) throw new Error('no ffmpeg child of the agent');
    const window = 5;
    const agentCores: number[] = [];
    const ffmpegCores: number[] = [];
    let agentRss = 0;
    let ffmpegRss = 0;
    const m0 = await scrape(port);
    const t0 = performance.now();
    let prev = { t: t0, a: cpuSeconds(agent.pid)!, f: cpuSeconds(ff.pid)! };
    for (let i = 0; i < RTSP_SECONDS; i++) {
      await sleep(1000);
      agentRss = Math.max(agentRss, memoryMb(agent.pid)?.rss ?? 0);
      ffmpegRss = Math.max(ffmpegRss, memoryMb(ff.pid)?.rss ?? 0);
      if ((i + 1) % window === 0) {
        const now = { t: performance.now(), a: cpuSeconds(agent.pid)!, f: cpuSeconds(ff.pid)! };
        const dt = (now.t - prev.t) / 1000;
        agentCores.push((now.a - prev.a) / dt);
        ffmpegCores.push((now.f - prev.f) / dt);
        prev = now;
      }
    }
    const m1 = await scrape(port);
    const secs = (performance.now() - t0) / 1000;
    const rate = (k: string): number => ((m1[k] ?? NaN) - (m0[k] ?? NaN)) / secs;
    return {
      agentCores,
      ffmpegCores,
      agentRss,
      ffmpegRss,
      agentHwm: memoryMb(agent.pid)?.hwm ?? NaN,
      ffmpegHwm: memoryMb(ff.pid)?.hwm ?? NaN,
      processedFps: rate('roadside_frames_processed_total'),
      receivedFps: rate('roadside_frames_received_total'),
    };
  } finally {
    await agent.stop();
    if (server) await stopProcess(server.child, 3000);
  }
}

/** The `Environment=` lines of the systemd unit, so the agent is measured as it is deployed. */
function unitEnvironment(): Record<string, string> {
  const env: Record<string, string> = {};
  const unit = join(ROOT, 'systemd/roadside-agent@.service');
  if (!existsSync(unit)) return env;
  for (const m of readFileSync(unit, 'utf8').matchAll(/^Environment=(\w+)=(\S*)$/gm)) env[m[1]!] = m[2]!;
  return env;
}

async function rtspCosts(dir: string, db: string, media: ReturnType<typeof prepareMedia>): Promise<void> {
  log(`== 4. one camera, detect fps 5, default models (helmet threshold 0.9): CPU and memory`);
  log(`   agent run with the systemd unit's environment: ${Object.entries(unitEnvironment()).map(([k, v]) => `${k}=${v}`).join(' ') || '(none)'}`);
  log(`   CPU from /proc/<pid>/stat utime+stime over ${RTSP_SECONDS} s after start-up (5-s windows), RSS = max VmRSS sampled each second`);
  log('   RTSP = the GStreamer fixture on 127.0.0.1 serving its live pattern (smpte bars, x264 zerolatency 800 kbit/s: cheap to');
  log('   decode); its /file mount is not paced in real time, so real content at camera pace is a file played with -re instead.');
  const variants: Array<[string, string, CameraSource, { width: number; height: number }]> = [
    ['rtsp-sub', 'RTSP live 640x360 5 fps (sub-stream)', { live: { width: 640, height: 360, fps: 5 } }, { width: 640, height: 360 }],
    ['rtsp-main', 'RTSP live 1920x1080 25 fps (main stream)', { live: { width: 1920, height: 1080, fps: 25 } }, { width: 1280, height: 720 }],
    ['file-1080p5', 'file -re: the clip 1920x1080 5 fps', { file: CLIP }, { width: 1280, height: 720 }],
    ['file-1080p25', 'file -re: testsrc2 1920x1080 25 fps 4 Mbit/s', { file: media.main1080p25 }, { width: 1280, height: 720 }],
  ];
  const rows: string[][] = [['source → detect size', 'agent cores', 'ffmpeg cores', 'total', 'agent RSS MB', 'ffmpeg RSS MB', 'fps in/processed']];
  const results: Record<string, CameraCost> = {};
  for (const [name, label, src, detect] of variants) {
    const r = await cameraCost(dir, db, name, src, detect);
    results[name] = r;
    const total = r.agentCores.map((a, i) => a + (r.ffmpegCores[i] ?? NaN));
    rows.push([
      `${label} → ${detect.width}x${detect.height}`,
      spread(r.agentCores, 3),
      spread(r.ffmpegCores, 3),
      spread(total, 3),
      `${fmt(r.agentRss, 0)} (peak ${fmt(r.agentHwm, 0)})`,
      `${fmt(r.ffmpegRss, 0)} (peak ${fmt(r.ffmpegHwm, 0)})`,
      `${fmt(r.receivedFps)}/${fmt(r.processedFps)}`,
    ]);
  }
  log(table(rows));
  log('');
  const cores = (r: CameraCost): number => median(r.agentCores.map((a, i) => a + (r.ffmpegCores[i] ?? NaN)));
  const sub = results['rtsp-sub']!;
  goal('CPU, RTSP 360p 5 fps sub-stream (agent+ffmpeg)', `${fmt(cores(sub), 3)} cores`, '≤ 0.25', cores(sub) <= 0.25);
  goal('CPU, RTSP 1080p 25 fps main stream', `${fmt(cores(results['rtsp-main']!), 3)} cores`, '(info)', null);
  goal('CPU, real clip 1080p 5 fps (file -re)', `${fmt(cores(results['file-1080p5']!), 3)} cores`, '(info)', null);
  goal('CPU, 1080p 25 fps testsrc2 (file -re)', `${fmt(cores(results['file-1080p25']!), 3)} cores`, '(info; ~0.3 decode)', null);
  const maxAgent = Math.max(...Object.values(results).map((r) => r.agentRss));
  const maxFf = Math.max(...Object.values(results).map((r) => r.ffmpegRss));
  goal('agent RSS (max over these runs)', `${fmt(maxAgent, 0)} MB`, '< 200 MB', maxAgent < 200);
  goal('ffmpeg RSS (max over these runs)', `${fmt(maxFf, 0)} MB`, '< 120 MB', maxFf < 120);
}

// ---------------------------------------------------------------------------------------
// 5: frame → MySQL latency

async function latency(dir: string, db: string): Promise<void> {
  const cfg = writeConfig(dir, 'latency', {
    camera: { source: { url: CLIP, loop: true, realtime: true } },
    models: { helmet: { threshold: 0.3, helmet_threshold: 0.3 } },
    dedup: { window_s: 1 },
    central: { database: db },
  });
  const c = loadConfig(cfg).config;
  log(`== 5. frame → MySQL latency: the clip looped in real time (5 fps), helmet threshold 0.3 (and helmet_threshold 0.3) so it has violations,`);
  log(`   dedup.window_s 1 (each pass of the loop has the same plates), healthy local MariaDB, ${LATENCY_SECONDS} s`);
  await withDb((d) => d.query(`DELETE FROM \`${db}\`.violations`));
  const agent = startAgent(['run', '-c', cfg]);
  let stopAt = 0;
  try {
    await agent.waitFor((l) => l.event === 'camera_online', 60_000, 'camera online');
    await sleep(LATENCY_SECONDS * 1000);
    stopAt = Date.now();
  } finally {
    await agent.stop();
  }
  const rows = await withDb(async (d) => {
    await d.query("SET time_zone = '+00:00'");
    const [r] = await d.query(
      `SELECT event_id AS id, UNIX_TIMESTAMP(last_seen_at) * 1000 AS seen, UNIX_TIMESTAMP(received_at) * 1000 AS recv FROM \`${db}\`.violations`,
    );
    return r as Array<{ id: string; seen: string; recv: string }>;
  });
  // Violations closed by the shutdown itself (open tracks at SIGTERM) are not a latency sample.
  const sampled = rows.filter((r) => Number(r.recv) < stopAt);
  const lat = sampled.map((r) => (Number(r.recv) - Number(r.seen)) / 1000);
  // The split: last frame → committed to the SQLite queue (the agent's "violation queued" line), → MySQL.
  const queuedAt = new Map(agent.lines.filter((l) => l.msg === 'violation queued').map((l) => [String(l.event_id), ms(l)]));
  const toQueue = sampled.map((r) => ((queuedAt.get(r.id) ?? NaN) - Number(r.seen)) / 1000);
  const toMysql = sampled.map((r) => (Number(r.recv) - (queuedAt.get(r.id) ?? NaN)) / 1000);
  const queued = agent.lines.filter((l) => l.msg === 'violation queued').length;
  const limit = c.rules.track_timeout_s + 1;
  const p50 = percentile(lat, 50);
  const p95 = percentile(lat, 95);
  log(`   violations queued ${queued}, in MySQL ${rows.length}, sampled (delivered before the stop) ${lat.length}`);
  log(`   latency = received_at − last_seen_at: p50 ${fmt(p50, 2)} s, p95 ${fmt(p95, 2)} s, max ${fmt(Math.max(...lat), 2)} s`);
  log(`   split: last frame → queued on the box p50 ${fmt(percentile(toQueue, 50), 2)} s / max ${fmt(Math.max(...toQueue.filter(Number.isFinite)), 2)} s; queued → MySQL p50 ${fmt(percentile(toMysql, 50), 2)} s / max ${fmt(Math.max(...toMysql.filter(Number.isFinite)), 2)} s`);
  log(`   (goal: track_timeout_s ${c.rules.track_timeout_s} + 1 s = ${limit} s; the flush loop idles central.flush_interval_ms ${c.central.flush_interval_ms} ms between empty polls)`);
  log('');
  goal('frame → MySQL p95 (p50)', `${fmt(p95, 2)} s (${fmt(p50, 2)} s)`, `< ${limit} s`, lat.length > 0 ? p95 < limit : null);
}

// ---------------------------------------------------------------------------------------
// 6: backlog drain

async function drain(): Promise<void> {
  const script = join(ROOT, 'bench/drain.ts');
  log(`== 6. backlog drain (bench/drain.ts ${DRAIN_COUNT}: real queue + flush loop into the local MariaDB)`);
  if (!existsSync(script)) {
    log('   bench/drain.ts is not there yet: skipped');
    goal('drain with evidence', 'n/a', '≥ 200/s', null);
    goal('drain without evidence', 'n/a', '≥ 5,000/s', null);
    return;
  }
  const child = spawnTracked(process.execPath, ['--import', 'tsx', script, String(DRAIN_COUNT)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const timer = setTimeout(() => void stopProcess(child, 3000), 240_000);
  const code = await new Promise<number | null>((res) => child.once('close', res));
  clearTimeout(timer);
  log(out.trimEnd().split('\n').map((l) => `   ${l}`).join('\n'));
  if (code !== 0) log(`   drain exited ${code}`);
  // Its own lines name the two rates; pick them up when they follow "with/without evidence … N/s".
  const rate = (re: RegExp): number => Number(re.exec(out)?.[1]?.replace(/,/g, '') ?? NaN);
  const withEv = rate(/with evidence[^\n]*?([\d,.]+)\s*(?:violations\/s|\/s)/i);
  const without = rate(/without evidence[^\n]*?([\d,.]+)\s*(?:violations\/s|\/s)/i);
  log('');
  goal('drain with evidence', `${fmt(withEv, 0)}/s`, '≥ 200/s', Number.isFinite(withEv) ? withEv >= 200 : null);
  goal('drain without evidence', `${fmt(without, 0)}/s`, '≥ 5,000/s', Number.isFinite(without) ? without >= 5000 : null);
}

// ---------------------------------------------------------------------------------------

async function main(): Promise<void> {
  installCleanup();
  const started = performance.now();
  if (!values['no-build']) {
    log('building dist/ (npm run build) so the CLI runs the current source …');
    execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  }
  const dir = join('/tmp', `rsa-bench-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const media = prepareMedia('/tmp/rsa-bench-media', LOOPS);
  const db = `rsa_bench_${process.pid}`;
  await withDb((d) => d.query(`CREATE DATABASE \`${db}\``));
  log(`roadside-agent bench: node ${process.version}, ${process.platform} ${process.arch}, ${(await import('node:os')).cpus().length} CPUs, load ${(await import('node:os')).loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  log('');
  try {
    const migrate = await runAgentToEnd(['db', 'migrate', '-c', writeConfig(dir, 'migrate', { central: { database: db } })], 60_000);
    void migrate;
    if (!SKIP.has('throughput')) await throughput(dir, db, media.throughput, media.throughputFrames);
    if (!SKIP.has('rtsp')) await rtspCosts(dir, db, media);
    if (!SKIP.has('latency')) await latency(dir, db);
    if (!SKIP.has('drain')) await drain();
    if (!SKIP.has('scenes'))
      await sceneCosts({ dir, db, mediaDir: '/tmp/rsa-bench-media', seconds: Number(values['scene-seconds']), env: unitEnvironment(), log, goal });
  } finally {
    await killAll();
    await withDb((d) => d.query(`DROP DATABASE IF EXISTS \`${db}\``)).catch((err: unknown) => console.error(`could not drop ${db}: ${String(err)}`));
    rmSync(dir, { recursive: true, force: true });
  }
  log('== summary');
  log(table(summary));
  log(`(bench took ${fmt((performance.now() - started) / 1000, 0)} s; load now ${(await import('node:os')).loadavg().map((x) => x.toFixed(2)).join(' ')})`);
}

await main().catch(async (err: unknown) => {
  console.error(err);
  await killAll();
  process.exitCode = 1;
});

