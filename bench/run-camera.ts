// Bench section 4: CPU and memory of one camera at detect fps 5, the agent run as the systemd
// unit runs it: from the RTSP fixture's live pattern (sub and main stream sizes) and from real
// content played at camera pace (a file with -re). CPU from /proc in 5-s windows after
// start-up, RSS the max sampled each second, frame rates from the agent's /metrics.
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { CLIP, ROOT, scrapeMetrics, startAgent, unitEnvironment, writeConfig, type Media } from './run-agent.js';
import { PYTHON, cpuSeconds, descendants, memoryMb, sleep, spawnTracked, stopProcess } from './run-procs.js';
import type { Report } from './run-report.js';
import { fmt, freePort, median, spread, table } from './run-stats.js';

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

async function cameraCost(dir: string, db: string, name: string, src: CameraSource, detect: { width: number; height: number }, seconds: number): Promise<CameraCost> {
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
    return await sampleCost(agent.pid, ff.pid, port, seconds);
  } finally {
    await agent.stop();
    if (server) await stopProcess(server.child, 3000);
  }
}

/** `seconds` of the running agent and its ffmpeg: CPU per 5-s window, RSS each second, fps from /metrics. */
async function sampleCost(agentPid: number, ffPid: number, port: number, seconds: number): Promise<CameraCost> {
  const window = 5;
  const agentCores: number[] = [];
  const ffmpegCores: number[] = [];
  let agentRss = 0;
  let ffmpegRss = 0;
  const m0 = await scrapeMetrics(port);
  const t0 = performance.now();
  let prev = { t: t0, a: cpuSeconds(agentPid)!, f: cpuSeconds(ffPid)! };
  for (let i = 0; i < seconds; i++) {
    await sleep(1000);
    agentRss = Math.max(agentRss, memoryMb(agentPid)?.rss ?? 0);
    ffmpegRss = Math.max(ffmpegRss, memoryMb(ffPid)?.rss ?? 0);
    if ((i + 1) % window === 0) {
      const now = { t: performance.now(), a: cpuSeconds(agentPid)!, f: cpuSeconds(ffPid)! };
      const dt = (now.t - prev.t) / 1000;
      agentCores.push((now.a - prev.a) / dt);
      ffmpegCores.push((now.f - prev.f) / dt);
      prev = now;
    }
  }
  const m1 = await scrapeMetrics(port);
  const secs = (performance.now() - t0) / 1000;
  const rate = (k: string): number => ((m1[k] ?? NaN) - (m0[k] ?? NaN)) / secs;
  return {
    agentCores,
    ffmpegCores,
    agentRss,
    ffmpegRss,
    agentHwm: memoryMb(agentPid)?.hwm ?? NaN,
    ffmpegHwm: memoryMb(ffPid)?.hwm ?? NaN,
    processedFps: rate('roadside_frames_processed_total'),
    receivedFps: rate('roadside_frames_received_total'),
  };
}

export async function rtspCosts(dir: string, db: string, media: Media, seconds: number, { log, goal }: Report): Promise<void> {
  log(`== 4. one camera, detect fps 5, default models (helmet threshold 0.9): CPU and memory`);
  log(`   agent run with the systemd unit's environment: ${Object.entries(unitEnvironment()).map(([k, v]) => `${k}=${v}`).join(' ') || '(none)'}`);
  log(`   CPU from /proc/<pid>/stat utime+stime over ${seconds} s after start-up (5-s windows), RSS = max VmRSS sampled each second`);
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
    const r = await cameraCost(dir, db, name, src, detect, seconds);
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
