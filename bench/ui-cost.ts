// What the installer page's live view costs the agent: the real CLI on the demo clip at 5 fps
// (real time), its CPU read from /proc in alternating windows with no page open and with a page
// open (a client that polls exactly as web/app.js does: the live overlay every second, each new
// frame's JPEG, status and violations every two seconds). Windows alternate closed/open so that
// load from other work on the box falls on both alike.
//
//   tsx bench/ui-cost.ts [--window-s 20] [--rounds 2]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { cpuSeconds, descendants, installCleanup, spawnTracked, stopProcess } from './run-procs.js';

const root = resolve(import.meta.dirname, '..');
const { values } = parseArgs({ options: { 'window-s': { type: 'string', default: '20' }, rounds: { type: 'string', default: '2' }, port: { type: 'string', default: '25520' } } });
const windowS = Number(values['window-s']);
const rounds = Number(values.rounds);
const port = Number(values.port);
const base = `http://127.0.0.1:${port}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

installCleanup();
const dir = mkdtempSync(join(tmpdir(), 'rsa-ui-cost-'));
const raw = JSON.parse((await import('node:fs')).readFileSync(join(root, 'config.json'), 'utf8')) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
delete raw.$schema;
raw.camera.source = { url: resolve(root, '../shared/media/in/nhutanh_test1.mp4'), loop: true, realtime: true };
raw.queue.state_dir = join(dir, 'state');
raw.central.port = 1; // nothing listens: violations stay queued, as on a box without its network
raw.operate = { ...raw.operate, log_file: null, log_stdout: false, health: { host: '127.0.0.1', port } };
const configFile = join(dir, 'cam.json');
writeFileSync(configFile, JSON.stringify(raw));

const agent = spawnTracked(process.execPath, [join(root, 'bin/roadside-agent.js'), 'run', '--config', configFile], {
  env: { ...process.env, ROADSIDE_MODELS_DIR: process.env.ROADSIDE_MODELS_DIR ?? resolve(root, '../shared/models') },
  stdio: 'ignore',
});
const pid = agent.pid!;

async function getJson(path: string): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const r = await fetch(base + path);
  return r.json();
}

/** A page: polls like web/app.js until the signal aborts; returns frames and bytes fetched. */
async function page(signal: AbortSignal): Promise<{ frames: number; bytes: number }> {
  let last = -1;
  let frames = 0;
  let bytes = 0;
  let tick = 0;
  while (!signal.aborted) {
    const { overlay } = await getJson('/ui/api/live');
    if (overlay && overlay.seq !== last) {
      last = overlay.seq;
      const jpeg = await (await fetch(`${base}/ui/api/frame.jpg?seq=${overlay.seq}`)).arrayBuffer();
      frames += 1;
      bytes += jpeg.byteLength;
    }
    if (tick++ % 2 === 0) await Promise.all([getJson('/ui/api/status'), getJson('/ui/api/violations')]);
    await sleep(1000);
  }
  return { frames, bytes };
}

function cpuNow(): { agent: number; ffmpeg: number } {
  const ffmpeg = descendants(pid).filter((d) => d.comm === 'ffmpeg').reduce((s, d) => s + (cpuSeconds(d.pid) ?? 0), 0);
  return { agent: cpuSeconds(pid) ?? 0, ffmpeg };
}

async function measure(open: boolean): Promise<{ agent: number; ffmpeg: number; frames: number; kb: number }> {
  const stop = new AbortController();
  const viewer = open ? page(stop.signal) : Promise.resolve({ frames: 0, bytes: 0 });
  if (open) await sleep(1500); // the first frame is encoded on the first ask
  const a = cpuNow();
  const t0 = performance.now();
  await sleep(windowS * 1000);
  const b = cpuNow();
  const s = (performance.now() - t0) / 1000;
  stop.abort();
  const v = await viewer;
  if (open) await sleep(6000); // let the watch window lapse before the next closed window
  return { agent: (b.agent - a.agent) / s, ffmpeg: (b.ffmpeg - a.ffmpeg) / s, frames: v.frames, kb: v.frames ? v.bytes / v.frames / 1024 : 0 };
}

try {
  for (let i = 0; i < 60; i++) {
    const ok = await fetch(`${base}/healthz`).then((r) => r.ok).catch(() => false);
    if (ok) break;
    await sleep(500);
  }
  await sleep(5000); // warm-up: models loaded, first track
  console.log(`installer page live view cost: agent on the demo clip at 5 fps, ${rounds} rounds of ${windowS} s closed / open`);
  console.log('window  agent cores  ffmpeg cores  frames fetched  KiB/frame');
  for (let r = 0; r < rounds; r++) {
    for (const open of [false, true]) {
      const m = await measure(open);
      console.log(`${open ? 'open  ' : 'closed'}  ${m.agent.toFixed(3).padStart(11)}  ${m.ffmpeg.toFixed(3).padStart(12)}  ${String(m.frames).padStart(14)}  ${m.kb.toFixed(0).padStart(9)}`);
    }
  }
  const { live } = (await getJson('/ui/api/status')) as { live: { encoded: number; encodeMsTotal: number } };
  console.log(`frames encoded for the page: ${live.encoded}, ${(live.encodeMsTotal / Math.max(1, live.encoded)).toFixed(1)} ms each (libuv pool, off the main thread)`);
  console.log(`load average at the end: ${(await import('node:os')).loadavg().map((x) => x.toFixed(2)).join(' ')}`);
} finally {
  await stopProcess(agent);
  rmSync(dir, { recursive: true, force: true });
}
