// Bench section 5: frame → MySQL latency. The clip looped in real time with thresholds low
// enough to make violations; latency = violations.received_at − last_seen_at, split at the
// agent's "violation queued" line into last frame → queued on the box, and queued → MySQL.
import { loadConfig } from '../src/config/load.js';
import { CLIP, ms, startAgent, writeConfig } from './run-agent.js';
import { withDb } from './run-db.js';
import { sleep } from './run-procs.js';
import type { Report } from './run-report.js';
import { fmt, percentile } from './run-stats.js';

interface Delivered {
  id: string;
  seen: string;
  recv: string;
}

/** Every violation in the bench database, with its last-seen and received times in ms. */
function delivered(db: string): Promise<Delivered[]> {
  return withDb(async (d) => {
    await d.query("SET time_zone = '+00:00'");
    const [r] = await d.query(
      `SELECT event_id AS id, UNIX_TIMESTAMP(last_seen_at) * 1000 AS seen, UNIX_TIMESTAMP(received_at) * 1000 AS recv FROM \`${db}\`.violations`,
    );
    return r as Delivered[];
  });
}

export async function latency(dir: string, db: string, seconds: number, { log, goal }: Report): Promise<void> {
  const cfg = writeConfig(dir, 'latency', {
    camera: { source: { url: CLIP, loop: true, realtime: true } },
    models: { helmet: { threshold: 0.3, helmet_threshold: 0.3 } },
    dedup: { window_s: 1 },
    central: { database: db },
  });
  const c = loadConfig(cfg).config;
  log(`== 5. frame → MySQL latency: the clip looped in real time (5 fps), helmet threshold 0.3 (and helmet_threshold 0.3) so it has violations,`);
  log(`   dedup.window_s 1 (each pass of the loop has the same plates), healthy local MariaDB, ${seconds} s`);
  await withDb((d) => d.query(`DELETE FROM \`${db}\`.violations`));
  const agent = startAgent(['run', '-c', cfg]);
  let stopAt = 0;
  try {
    await agent.waitFor((l) => l.event === 'camera_online', 60_000, 'camera online');
    await sleep(seconds * 1000);
    stopAt = Date.now();
  } finally {
    await agent.stop();
  }
  const rows = await delivered(db);
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
