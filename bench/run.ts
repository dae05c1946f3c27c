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
// 7. a quiet scene (from a 1080p stream and from a 720p sub-stream) and the busy clip in real time,
//    whole frame vs motion-gated regions, ffmpeg alone on the quiet scene (its floor), and two
//    agents recording side by side, the memory (PSS) each costs the box (bench/run-scenes.ts,
//    bench/run-pair.ts; alone: `npm run bench -- --only scenes`).
// Medians of --reps repetitions with [min–max]; ratios are taken within each repetition.
// Each section is its own module: 1-3 bench/run-throughput.ts, 4 bench/run-camera.ts,
// 5 bench/run-latency.ts, 6 bench/run-drain.ts, 7 bench/run-scenes.ts; this file reads the
// options, runs the sections asked for and prints the summary of their goals.
// Every process started here is stopped at the end, whatever happens.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT, prepareMedia, runAgentToEnd, unitEnvironment, writeConfig } from './run-agent.js';
import { rtspCosts } from './run-camera.js';
import { withDb } from './run-db.js';
import { drain } from './run-drain.js';
import { latency } from './run-latency.js';
import { installCleanup, killAll } from './run-procs.js';
import { consoleReport } from './run-report.js';
import { sceneCosts } from './run-scenes.js';
import { fmt } from './run-stats.js';
import { throughput } from './run-throughput.js';

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

const report = consoleReport();
const { log, goal } = report;

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
    if (!SKIP.has('throughput')) {
      const o = { dir, db, file: media.throughput, frames: media.throughputFrames, loops: LOOPS, reps: REPS, modelFrames: MODEL_FRAMES, peerFrames: PEER_FRAMES, skipPeer: SKIP.has('peer') };
      await throughput(o, report);
    }
    if (!SKIP.has('rtsp')) await rtspCosts(dir, db, media, RTSP_SECONDS, report);
    if (!SKIP.has('latency')) await latency(dir, db, LATENCY_SECONDS, report);
    if (!SKIP.has('drain')) await drain(DRAIN_COUNT, report);
    if (!SKIP.has('scenes'))
      await sceneCosts({ dir, db, mediaDir: '/tmp/rsa-bench-media', seconds: Number(values['scene-seconds']), env: unitEnvironment(), log, goal });
  } finally {
    await killAll();
    await withDb((d) => d.query(`DROP DATABASE IF EXISTS \`${db}\``)).catch((err: unknown) => console.error(`could not drop ${db}: ${String(err)}`));
    rmSync(dir, { recursive: true, force: true });
  }
  log('== summary');
  log(report.summary());
  log(`(bench took ${fmt((performance.now() - started) / 1000, 0)} s; load now ${(await import('node:os')).loadavg().map((x) => x.toFixed(2)).join(' ')})`);
}

await main().catch(async (err: unknown) => {
  console.error(err);
  await killAll();
  process.exitCode = 1;
});

