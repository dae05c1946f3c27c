// Soak: one camera for a long run (default 30 min) through the real CLI, with the RTSP server
// killed and restarted every few minutes and the central MariaDB (a private instance) stopped
// and restarted twice. Prints RSS, file descriptors and child processes over time, then checks
// that every violation the agent queued was delivered exactly once.
//
//   npx tsx bench/soak.ts [--minutes 30] [--camera-restart-min 4] [--db-restarts 2]
//
// Everything it starts runs on 127.0.0.1 and is stopped at the end (or on Ctrl-C).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { cliPath, runCli } from '../test/helpers/cli.js';
import { exampleConfig, writeConfig } from '../test/helpers/config.js';
import { mediaDir, modelsDir } from '../test/helpers/env.js';
import { PrivateMariadb } from '../test/helpers/mariadb.js';
import { startRtspServer, type RtspServer } from '../test/helpers/rtsp.js';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '30' },
    'camera-restart-min': { type: 'string', default: '4' },
    'db-restarts': { type: 'string', default: '2' },
    'sample-s': { type: 'string', default: '30' },
  },
});
const minutes = Number(values.minutes);
const cameraEveryMs = Number(values['camera-restart-min']) * 60_000;
const dbRestarts = Number(values['db-restarts']);
const sampleMs = Number(values['sample-s']) * 1000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function procStatus(pid: number): { rssMb: number; fds: number } | null {
  try {
    const rss = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return { rssMb: Number(rss) / 1024, fds: readdirSync(`/proc/${pid}/fd`).length };
  } catch {
    return null;
  }
}

function children(pid: number): Array<{ pid: number; comm: string }> {
  const out: Array<{ pid: number; comm: string }> = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const ppid = Number(stat.slice(close + 2).split(' ')[1]);
      if (ppid === pid) out.push({ pid: Number(d), comm: stat.slice(stat.indexOf('(') + 1, close) });
    } catch {
      // gone
    }
  }
  return out;
}

const dir = mkdtempSync(join(tmpdir(), 'rsa-soak-'));
const clip = join(dir, 'clip.mp4');
const enc = spawnSync('ffmpeg', ['-v', 'error', '-y', '-stream_loop', '9', '-i', join(mediaDir, 'in/nhutanh_test1.mp4'),
  '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '5', '-pix_fmt', 'yuv420p', '-an', clip]);
if (enc.status !== 0) throw new Error(`ffmpeg: ${enc.stderr.toString()}`);

const db = await PrivateMariadb.create();
db.sql('CREATE DATABASE soak');
let server: RtspServer = await startRtspServer({ file: clip });
const port = server.port;

const raw = exampleConfig();
raw.camera.id = 'soak-cam';
raw.camera.location = 'soak';
raw.camera.source = { url: server.url('file'), timeout_s: 5 };
raw.camera.reconnect = { initial_s: 1, max_s: 10 };
raw.models.helmet.threshold = 0.3; // the shipped 0.9 finds nothing in this clip
raw.models.helmet.helmet_threshold = 0.3;
raw.queue.state_dir = join(dir, 'state');
raw.central = { ...raw.central, host: '127.0.0.1', port: db.port, database: 'soak', connect_timeout_ms: 3000, query_timeout_ms: 10_000, retry: { initial_s: 0.5, max_s: 5 } };
raw.operate.log_file = join(dir, 'soak-cam.log');
raw.operate.log_stdout = false;
raw.operate.health.port = 0;
const configFile = writeConfig(raw);
const env = { ROADSIDE_MODELS_DIR: modelsDir };
const migrate = await runCli(['db', 'migrate', '--config', configFile], { env });
if (migrate.code !== 0) throw new Error(`db migrate: ${migrate.stderr}`);

const agent = spawn(process.execPath, [cliPath, 'run', '--config', configFile], { env: { ...process.env, ...env }, stdio: 'ignore' });
const agentExit = new Promise<number | null>((r) => agent.on('exit', (code) => r(code)));
const cleanup = async () => {
  agent.kill('SIGKILL');
  await server.stop();
  await db.dispose();
};
process.on('SIGINT', () => void cleanup().then(() => process.exit(130)));

const start = Date.now();
const endAt = start + minutes * 60_000;
const dbAt = Array.from({ length: dbRestarts }, (_, i) => start + ((i + 1) * minutes * 60_000) / (dbRestarts + 1));
let nextCamera = start + cameraEveryMs;
let nextSample = start + 5_000;
const samples: Array<{ t: number; rss: number; fds: number; kids: number; ffRss: number }> = [];
const events: string[] = [];
console.log(`soak: ${minutes} min, camera restart every ${cameraEveryMs / 60_000} min, ${dbRestarts} MariaDB restarts; agent pid ${agent.pid}`);
console.log('  t(s)  agent RSS MB  fds  children  ffmpeg RSS MB');
while (Date.now() < endAt) {
  const now = Date.now();
  if (now >= nextSample) {
    const s = procStatus(agent.pid!);
    const kids = children(agent.pid!);
    const ff = kids.find((k) => k.comm === 'ffmpeg');
    const ffs = ff ? procStatus(ff.pid) : null;
    if (s) {
      samples.push({ t: (now - start) / 1000, rss: s.rssMb, fds: s.fds, kids: kids.length, ffRss: ffs?.rssMb ?? 0 });
      console.log(`${String(Math.round((now - start) / 1000)).padStart(6)}  ${s.rssMb.toFixed(1).padStart(12)}  ${String(s.fds).padStart(3)}  ${String(kids.length).padStart(8)}  ${(ffs?.rssMb ?? 0).toFixed(1).padStart(13)}`);
    }
    nextSample += sampleMs;
  }
  if (now >= nextCamera) {
    await server.kill();
    await sleep(3000);
    server = await startRtspServer({ file: clip, port });
    events.push(`${Math.round((Date.now() - start) / 1000)} s: RTSP server killed and restarted`);
    nextCamera += cameraEveryMs;
  }
  if (dbAt.length > 0 && now >= dbAt[0]!) {
    dbAt.shift();
    await db.stop('SIGTERM');
    await sleep(20_000);
    await db.start();
    events.push(`${Math.round((Date.now() - start) / 1000)} s: MariaDB stopped for 20 s and restarted`);
  }
  await sleep(1000);
}

agent.kill('SIGTERM');
const code = await agentExit;
const log = readFileSync(join(dir, 'soak-cam.log'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
const queued = new Set(log.filter((l) => l.msg === 'violation queued').map((l) => l.event_id as string));
const central = Number(db.sql('SELECT COUNT(*) FROM violations', 'soak'));
const distinct = Number(db.sql('SELECT COUNT(DISTINCT event_id) FROM violations', 'soak'));
const missing = db.sql('SELECT event_id FROM violations', 'soak').split('\n').filter(Boolean);
const notDelivered = [...queued].filter((id) => !missing.includes(id));
const stats = await runCli(['queue', 'stats', '--json', '--config', configFile], { env });
const q = JSON.parse(stats.stdout || '{}') as { pending?: number; dead?: number };
const leftover = spawnSync('sh', ['-c', `ps -eo args | grep -c "[f]fmpeg.*127.0.0.1:${port}"`], { encoding: 'utf8' }).stdout.trim();

const first = samples.slice(1, 4);
const last = samples.slice(-3);
const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
console.log('\nevents:\n  ' + events.join('\n  '));
console.log(`\nagent exit code after SIGTERM: ${code}`);
console.log(`RSS MB   first ${avg(first.map((s) => s.rss)).toFixed(1)} → last ${avg(last.map((s) => s.rss)).toFixed(1)} (max ${Math.max(...samples.map((s) => s.rss)).toFixed(1)})`);
console.log(`fds      first ${avg(first.map((s) => s.fds)).toFixed(1)} → last ${avg(last.map((s) => s.fds)).toFixed(1)} (max ${Math.max(...samples.map((s) => s.fds))})`);
console.log(`children first ${avg(first.map((s) => s.kids)).toFixed(1)} → last ${avg(last.map((s) => s.kids)).toFixed(1)} (max ${Math.max(...samples.map((s) => s.kids))})`);
console.log(`ffmpeg RSS MB max ${Math.max(...samples.map((s) => s.ffRss)).toFixed(1)}`);
console.log(`violations queued ${queued.size}, in MariaDB ${central} (distinct ${distinct}), not delivered ${notDelivered.length}, left in queue ${q.pending ?? '?'}, dead ${q.dead ?? '?'}`);
console.log(`ffmpeg processes left behind: ${leftover}`);
await server.stop();
await db.dispose();
rmSync(dir, { recursive: true, force: true });
const ok = code === 0 && central === queued.size && distinct === central && notDelivered.length === 0 && leftover === '0';
console.log(ok ? 'soak: PASS' : 'soak: FAIL');
process.exitCode = ok ? 0 : 1;
