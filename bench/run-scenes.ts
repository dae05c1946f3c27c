// Bench section "scenes": one camera at 5 fps in real time on a quiet scene (the demo clip's
// background with a small rider passing every 30 s, made once with ffmpeg) and on the busy clip,
// each with the scene detector on the whole frame and on motion-gated regions, side by side (and
// the quiet scene from a 720p sub-stream, regions only: what a camera's second stream saves):
// CPU cores of agent + ffmpeg, agent RSS, and motorcycles/riders found (from /metrics); and what
// ffmpeg alone costs on the quiet scene (its H.264 decode is the floor under the quiet-scene goal);
// and two agents recording side by side, the memory each costs the box (PSS, bench/run-pair.ts).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../src/config/load.js';
import { CLIP, ROOT, scrapeMetrics, startAgent, writeConfig } from './run-agent.js';
import { cpuSeconds, descendants, memoryMb, reapedChildrenCpuSeconds, sleep } from './run-procs.js';
import { pairMemory } from './run-pair.js';
import { decodeAlone } from './run-stages.js';
import { fmt, freePort, median, spread, table } from './run-stats.js';

/** A pass of the rider lasts 7 s (t = 10..17 s of every 30 s); the clip is 90 s, looped by the agent. */
export const QUIET_PERIOD_S = 30;

/**
 * The quiet scene, 1920x1080 at 5 fps, 90 s: the temporal median of the demo clip (its traffic
 * taken out) as a still background with mild sensor noise, and a rider cut from the clip, at half
 * size, crossing the road every 30 s.
 */
export function quietClip(mediaDir: string): string {
  const file = join(mediaDir, 'quiet-1080p5-90s.mp4');
  if (existsSync(file)) return file;
  const tmp = file.replace(/\.mp4$/, '.part.mp4');
  const graph = [
    '[0:v]split[a][b]',
    '[a]tmedian=radius=11,trim=start_frame=1:end_frame=2,setpts=PTS-STARTPTS,loop=loop=-1:size=1,fps=5[bg]',
    "[b]select='eq(n\\,10)',crop=360:660:1290:40,scale=180:330,setpts=PTS-STARTPTS,loop=loop=-1:size=1,fps=5[r]",
    `[bg][r]overlay=x='1700-(mod(t\\,${QUIET_PERIOD_S})-10)*250':y=420:enable='between(mod(t\\,${QUIET_PERIOD_S})\\,10\\,17)',noise=alls=3:allf=t,trim=duration=90,format=yuv420p[v]`,
  ].join(';');
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-i', CLIP, '-filter_complex', graph, '-map', '[v]',
    '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-g', '50', '-bf', '0', '-r', '5', tmp], { stdio: ['ignore', 'ignore', 'inherit'] });
  renameSync(tmp, file);
  return file;
}

/** The quiet scene as a camera's 720p sub-stream would send it (the same pictures, scaled once). */
export function quietSubStream(mediaDir: string): string {
  const file = join(mediaDir, 'quiet-720p5-90s.mp4');
  if (existsSync(file)) return file;
  const tmp = file.replace(/\.mp4$/, '.part.mp4');
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-i', quietClip(mediaDir), '-vf', 'scale=1280:720', '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-g', '50', '-bf', '0', tmp], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  renameSync(tmp, file);
  return file;
}

export interface SceneCost {
  cores: number[];
  agentCores: number[];
  ffmpegCores: number[];
  /** Peak of the agent's VmRSS sampled once a second, MB, and the median of those samples. */
  agentRss: number;
  agentRssMedian: number;
  /** Median of the file-backed part of those samples (shared by the agents of one box). */
  agentRssFileMedian: number;
  motorcycles: number;
  riders: number;
  frames: number;
  withoutInference: number;
  sceneRuns: number;
  /** Violations committed to the box's queue in the window. */
  queued: number;
  /** Plate searches of suspect motorcycles in the window, and those plates.per_track skipped. */
  plateSearches: number;
  plateSkipped: number;
}

/**
 * The runs that must record nothing (the cost of looking alone) judge with this helmet threshold,
 * which no head reaches; the recording run keeps the shipped one, at which the busy clip's
 * bare-headed riders are recorded on every loop (evidence, plates, queue).
 */
const SILENT_THRESHOLD = 1;

/** One run of the section: a clip, whole frame or regions, and whether the camera records (the shipped helmet threshold) or not (SILENT_THRESHOLD). */
interface SceneRun {
  name: string;
  file: string;
  regions: boolean;
  recording?: boolean;
  /** plates.per_track off: every suspect motorcycle's plate searched on every frame (as before it existed). */
  platesEveryFrame?: boolean;
}

async function sceneCost(dir: string, db: string, { name, file, regions, recording = false, platesEveryFrame = false }: SceneRun, seconds: number, env: NodeJS.ProcessEnv): Promise<SceneCost> {
  const port = await freePort();
  const cfg = writeConfig(dir, `scene-${name}`, {
    camera: { source: { url: file, loop: true, realtime: true }, detect: { width: 1280, height: 720, fps: 5 } },
    ...(recording ? {} : { models: { helmet: { threshold: SILENT_THRESHOLD } } }),
    regions: { enabled: regions },
    ...(platesEveryFrame ? { plates: { per_track: { settle_reads: 0, max_gap_frames: 0 } } } : {}),
    central: { database: db },
    operate: { health: { port } },
  });
  const agent = startAgent(['run', '-c', cfg], env);
  try {
    await agent.waitFor((l) => l.event === 'camera_online', 60_000, 'camera online');
    const ff = descendants(agent.pid).find((d) => d.comm === 'ffmpeg');
    if (!ff) throw new Error('no ffmpeg child of the agent');
    const m0 = await scrapeMetrics(port);
    const window = 10;
    const out: SceneCost = { cores: [], agentCores: [], ffmpegCores: [], agentRss: 0, agentRssMedian: 0, agentRssFileMedian: 0, motorcycles: 0, riders: 0, frames: 0, withoutInference: 0, sceneRuns: 0, queued: 0, plateSearches: 0, plateSkipped: 0 };
    let prev = { t: performance.now(), a: cpuSeconds(agent.pid)!, f: cpuSeconds(ff.pid)! };
    const rss: number[] = [];
    const file: number[] = [];
    for (let i = 0; i < seconds; i++) {
      await sleep(1000);
      const mem = memoryMb(agent.pid);
      rss.push(mem?.rss ?? 0);
      file.push(mem?.file ?? 0);
      if ((i + 1) % window === 0) {
        const now = { t: performance.now(), a: cpuSeconds(agent.pid)!, f: cpuSeconds(ff.pid)! };
        const dt = (now.t - prev.t) / 1000;
        out.agentCores.push((now.a - prev.a) / dt);
        out.ffmpegCores.push((now.f - prev.f) / dt);
        out.cores.push((now.a - prev.a + now.f - prev.f) / dt);
        prev = now;
      }
    }
    out.agentRss = Math.max(...rss);
    out.agentRssMedian = median(rss);
    out.agentRssFileMedian = median(file);
    const m1 = await scrapeMetrics(port);
    const d = (k: string): number => (m1[k] ?? NaN) - (m0[k] ?? NaN);
    out.motorcycles = d('roadside_motorcycles_seen_total');
    out.riders = d('roadside_riders_seen_total');
    out.frames = d('roadside_frames_processed_total');
    out.withoutInference = d('roadside_frames_without_inference_total');
    out.sceneRuns = d('roadside_scene_inferences_total');
    out.queued = d('roadside_violations_total{outcome="queued"}');
    out.plateSearches = d('roadside_plate_searches_total');
    out.plateSkipped = d('roadside_plate_searches_skipped_total');
    return out;
  } finally {
    await agent.stop();
  }
}

/**
 * What ffmpeg alone costs on the quiet scene, as fast as it goes (no real-time pacing), in cores
 * at the scene's 5 fps: H.264 decoding only (one thread, frames thrown away), and capture's own
 * ffmpeg (config.json's camera: fps, scale, rgb24 into a pipe). The first is the floor under
 * any agent that decodes the 1080p stream in software.
 */
export async function quietFloor(file: string): Promise<{ decode: number; capture: number }> {
  const frames = Number(execFileSync('ffprobe', ['-v', 'error', '-count_packets', '-select_streams', 'v:0', '-show_entries', 'stream=nb_read_packets', '-of', 'csv=p=0', file], { encoding: 'utf8' }).trim());
  const before = reapedChildrenCpuSeconds();
  const run = spawnSync('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', '-threads', '1', '-i', file, '-an', '-f', 'null', '-'], { stdio: 'ignore' });
  if (run.status !== 0) throw new Error(`ffmpeg decode of ${file} exited ${run.status}`);
  const decodeMs = ((reapedChildrenCpuSeconds() - before) * 1000) / frames;
  const capture = await decodeAlone(loadConfig(join(ROOT, 'config.json')), file);
  return { decode: (decodeMs * 5) / 1000, capture: (capture.cpuMsPerFrame * 5) / 1000 };
}

export interface ScenesOptions {
  dir: string;
  db: string;
  mediaDir: string;
  /** Seconds measured per run (after the camera is online); two rider passes need ≥ 60. */
  seconds: number;
  env: NodeJS.ProcessEnv;
  log: (s?: string) => void;
  goal: (what: string, measured: string, target: string, met: boolean | null) => void;
}

export async function sceneCosts(o: ScenesOptions): Promise<Record<string, SceneCost>> {
  const quiet = quietClip(o.mediaDir);
  o.log(`== 7. quiet scene and busy clip, 1080p 5 fps in real time → 1280x720: whole frame vs motion-gated regions (${o.seconds} s each, 10-s CPU windows)`);
  o.log(`   quiet = ${quiet} (background + a half-size rider crossing for 7 s every ${QUIET_PERIOD_S} s); quiet-720p = the same as a 720p sub-stream; busy = ${CLIP} looped`);
  const runs: SceneRun[] = [
    { name: 'quiet-whole', file: quiet, regions: false },
    { name: 'quiet-regions', file: quiet, regions: true },
    { name: 'quiet-720p-regions', file: quietSubStream(o.mediaDir), regions: true },
    { name: 'busy-whole', file: CLIP, regions: false },
    { name: 'busy-regions', file: CLIP, regions: true },
    { name: 'busy-recording', file: CLIP, regions: true, recording: true },
    { name: 'busy-recording-plates-every-frame', file: CLIP, regions: true, recording: true, platesEveryFrame: true },
  ];
  const results: Record<string, SceneCost> = {};
  const rows: string[][] = [['scene / mode', 'agent+ffmpeg cores', 'agent', 'ffmpeg', 'agent RSS MB peak (median)', 'frames', 'no-inference', 'scene runs', 'motorcycles', 'riders', 'violations', 'plate searches (skipped)']];
  for (const run of runs) {
    const r = await sceneCost(o.dir, o.db, run, o.seconds, o.env);
    results[run.name] = r;
    rows.push([run.name, spread(r.cores, 3), fmt(median(r.agentCores), 3), fmt(median(r.ffmpegCores), 3), `${fmt(r.agentRss, 0)} (${fmt(r.agentRssMedian, 0)})`, fmt(r.frames, 0),
      fmt(r.withoutInference, 0), fmt(r.sceneRuns, 0), fmt(r.motorcycles, 0), fmt(r.riders, 0), fmt(r.queued, 0),
      `${fmt(r.plateSearches, 0)} (${fmt(r.plateSkipped, 0)})`]);
  }
  o.log(table(rows));
  o.log('   motorcycles / riders = found, summed over the frames of the window (the same stretch of video in both modes, ± a second)');
  o.log(`   busy-recording = busy-regions at the shipped helmet threshold, so the clip's bare-headed riders are recorded (evidence JPEGs, plates, queue); the other runs judge at ${SILENT_THRESHOLD} and record nothing; violations = queued in the window`);
  o.log('   busy-recording-plates-every-frame = busy-recording with plates.per_track off (every suspect motorcycle searched on every frame)');
  o.log('');
  const pair = await pairMemory(o.dir, o.db, o.seconds, o.env);
  const [p1, p2] = pair.agents;
  o.log(`   two agents recording the busy clip side by side (two cameras on one box), medians of 1-s samples: RSS ${fmt(p1!.rss, 0)} and ${fmt(p2!.rss, 0)} MB, PSS ${fmt(p1!.pss, 0)} and ${fmt(p2!.pss, 0)} MB, anonymous ${fmt(p1!.anonymous, 0)} and ${fmt(p2!.anonymous, 0)} MB`);
  const floor = await quietFloor(quiet);
  o.log(`   ffmpeg alone on the quiet scene, unpaced, in cores at 5 fps: H.264 decode only ${fmt(floor.decode, 3)}; capture's own ffmpeg (fps, scale, rgb24 to a pipe) ${fmt(floor.capture, 3)}`);
  o.log('');
  const c = (k: string): number => median(results[k]!.cores);
  o.goal('CPU, quiet scene (agent+ffmpeg, 1080p, regions)', `${fmt(c('quiet-regions'), 3)} cores (whole frame ${fmt(c('quiet-whole'), 3)})`, '≤ 0.06', c('quiet-regions') <= 0.06);
  o.goal('  floor: ffmpeg decoding the 1080p stream alone', `${fmt(floor.decode, 3)} cores; capture's ffmpeg unpaced ${fmt(floor.capture, 3)}`, '(context)', null);
  o.goal('CPU, quiet scene from a 720p sub-stream (regions)', `${fmt(c('quiet-720p-regions'), 3)} cores`, '(≤ 0.06)', null);
  o.goal('CPU, busy clip (regions vs whole frame)', `${fmt(c('busy-regions'), 3)} vs ${fmt(c('busy-whole'), 3)} cores`, 'no worse', c('busy-regions') <= c('busy-whole') * 1.05);
  const found = (k: string): string => `${fmt(results[k]!.motorcycles, 0)}/${fmt(results[k]!.riders, 0)}`;
  for (const s of ['quiet', 'busy']) {
    const ok = results[`${s}-regions`]!.riders >= results[`${s}-whole`]!.riders;
    o.goal(`motorcycles/riders found, ${s} (regions vs whole)`, `${found(`${s}-regions`)} vs ${found(`${s}-whole`)}`, 'riders ≥ whole', ok);
  }
  const every = results['busy-recording-plates-every-frame']!;
  o.goal('CPU, busy clip recording: plates spaced per track vs every frame', `${fmt(c('busy-recording'), 3)} vs ${fmt(c('busy-recording-plates-every-frame'), 3)} cores; plate searches ${fmt(results['busy-recording']!.plateSearches, 0)} vs ${fmt(every.plateSearches, 0)}`, 'fewer', c('busy-recording') < c('busy-recording-plates-every-frame'));
  const idleRss = Math.max(...runs.filter((run) => !run.recording).map((run) => results[run.name]!.agentRss));
  o.goal('agent RSS (max over the scene runs that record nothing)', `${fmt(idleRss, 0)} MB`, '< 200 MB', idleRss < 200);
  const rec = results['busy-recording']!;
  o.goal('agent RSS while recording violations (busy clip)', `${fmt(rec.agentRss, 0)} MB peak, ${fmt(rec.agentRssMedian, 0)} median of 1-s samples (${fmt(rec.queued, 0)} violations queued; of the median ${fmt(rec.agentRssFileMedian, 0)} MB file-backed: node's and the libraries' code, shared by a box's agents)`, '< 200 MB', rec.agentRss < 200 && rec.queued > 0);
  o.goal('agent PSS, two agents recording side by side (what the box pays per camera)', `${fmt(p1!.pss, 0)} and ${fmt(p2!.pss, 0)} MB median (RSS ${fmt(p1!.rss, 0)} and ${fmt(p2!.rss, 0)})`, '(context)', null);
  return results;
}
