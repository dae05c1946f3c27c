// The agent as a user runs it: the GStreamer RTSP server on 127.0.0.1 streams a clip made from
// the recorded junction clip; the real CLI runs on it with the real models; violations land in
// MariaDB with their evidence. Checks the rows (fields, evidence hashes, no duplicates), that
// every violation the agent queued arrived exactly once, that the queue on the box is empty,
// and that nothing the test started is left running.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliPath, runCli } from '../helpers/cli.js';
import { exampleConfig, writeConfig } from '../helpers/config.js';
import { hasMedia, hasModels, mediaDir, modelsDir, skipNotice } from '../helpers/env.js';
import { rtspServerAvailable, startRtspServer, type RtspServer } from '../helpers/rtsp.js';

const ready = hasModels && hasMedia && rtspServerAvailable();
const DB = `rsa_e2e_${process.pid}`;
const PASSES = 3;

interface LogLine {
  level: string;
  msg: string;
  [k: string]: unknown;
}

describe.skipIf(skipNotice('end-to-end agent over RTSP into MariaDB', ready, `${modelsDir} + GStreamer RTSP server`))(
  'the agent on a real RTSP stream into MariaDB',
  () => {
    let dir: string;
    let server: RtspServer;
    let admin: mysql.Connection;
    let configFile: string;
    const lines: LogLine[] = [];
    let exit: { code: number | null; signal: NodeJS.Signals | null } = { code: null, signal: null };
    let agentPid = 0;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'rsa-e2e-'));
      // The RTSP fixture serves H.264 in MP4: re-encode the clip, looped, with a keyframe a second.
      const clip = join(dir, 'clip.mp4');
      const enc = spawnSync('ffmpeg', [
        '-v', 'error', '-y', '-stream_loop', String(PASSES - 1), '-i', join(mediaDir, 'in/nhutanh_test1.mp4'),
        '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '5', '-pix_fmt', 'yuv420p', '-an', clip,
      ]);
      expect(enc.status, enc.stderr.toString()).toBe(0);
      server = await startRtspServer({ file: clip });

      admin = await mysql.createConnection({ host: '127.0.0.1', user: 'root', password: '' });
      await admin.query(`DROP DATABASE IF EXISTS ${DB}`);
      await admin.query(`CREATE DATABASE ${DB}`);

      const raw = exampleConfig();
      raw.camera.id = 'e2e-cam';
      raw.camera.location = 'E2E junction, northbound';
      raw.camera.source = { url: server.url('file'), timeout_s: 5 };
      raw.camera.reconnect = { initial_s: 30, max_s: 30 };
      // The stream is 1080p, the detect size 720p: plates and their crops come from the 1080p pictures.
      raw.camera.plate_pixels = { width: 1920, height: 1080 };
      // The shipped threshold (0.9) finds no violation in this clip (see models/README.md): the
      // test lowers it so that the bare-headed passenger of each pass becomes one violation.
      raw.models.helmet.threshold = 0.3;
      raw.models.helmet.helmet_threshold = 0.3;
      raw.queue.state_dir = join(dir, 'state');
      raw.central.database = DB;
      raw.central.flush_interval_ms = 200;
      raw.operate.log_file = join(dir, 'e2e-cam.log');
      raw.operate.log_stdout = true;
      raw.operate.health.port = 0;
      configFile = writeConfig(raw);

      const migrate = await runCli(['db', 'migrate', '--config', configFile], { env: { ROADSIDE_MODELS_DIR: modelsDir } });
      expect(migrate.code, migrate.stderr).toBe(0);

      // Run the agent until the stream has been played once: the server ends it, ffmpeg exits,
      // and the agent reports the camera offline (a disconnect for a live source). Then SIGTERM.
      const child = spawn(process.execPath, [cliPath, 'run', '--config', configFile], {
        env: { ...process.env, ROADSIDE_MODELS_DIR: modelsDir },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      agentPid = child.pid!;
      let buf = '';
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const offline = new Promise<void>((resolve) => {
        child.stdout.on('data', (d: Buffer) => {
          buf += d.toString();
          let nl;
          while ((nl = buf.indexOf('\n')) >= 0) {
            const text = buf.slice(0, nl);
            buf = buf.slice(nl + 1);
            try {
              const line = JSON.parse(text) as LogLine;
              lines.push(line);
              if (line.event === 'camera_offline' || line.msg === 'camera offline') resolve();
            } catch {
              // not a log line
            }
          }
        });
      });
      const exited = new Promise<void>((resolve) =>
        child.on('exit', (code, signal) => {
          exit = { code, signal };
          resolve();
        }),
      );
      const guard = setTimeout(() => child.kill('SIGKILL'), 150_000);
      await Promise.race([offline, exited]);
      child.kill('SIGTERM');
      await exited;
      clearTimeout(guard);
      if (exit.code !== 0) console.error(stderr.slice(-3000));
    }, 200_000);

    afterAll(async () => {
      await server?.stop();
      await admin?.query(`DROP DATABASE IF EXISTS ${DB}`);
      await admin?.end();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('stops cleanly on SIGTERM with exit 0 after the whole stream went through', () => {
      expect(exit).toEqual({ code: 0, signal: null });
      expect(lines.some((l) => l.msg === 'camera online')).toBe(true);
      expect(lines.some((l) => l.msg === 'shutdown complete' && l.exit_code === 0)).toBe(true);
      const processed = lines.find((l) => l.msg === 'agent stopped')?.frames_processed;
      if (processed !== undefined) expect(processed).toBeGreaterThan(10);
    });

    it('delivers every violation it queued exactly once, with its fields', async () => {
      const queued = lines.filter((l) => l.msg === 'violation queued').map((l) => l.event_id as string);
      expect(queued.length).toBeGreaterThanOrEqual(1);
      const [rows] = await admin.query<mysql.RowDataPacket[]>(
        `SELECT event_id, violation_type, plate_number, camera_id, camera_location, detection_confidence,
                occurred_at, first_seen_at, last_seen_at, frame_count, models, evidence_count
           FROM ${DB}.violations ORDER BY occurred_at`,
      );
      expect(rows.map((r) => r.event_id as string).sort()).toEqual([...queued].sort());
      console.info(`e2e: ${queued.length} violation(s) queued, ${rows.length} in MariaDB; plates: ${rows.map((r) => String(r.plate_number)).join(', ')}`);
      for (const r of rows) {
        expect(r.event_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        expect(r.violation_type).toBe('no_helmet');
        expect(r.camera_id).toBe('e2e-cam');
        expect(r.camera_location).toBe('E2E junction, northbound');
        expect(r.detection_confidence).toBeGreaterThanOrEqual(0.3);
        expect(r.detection_confidence).toBeLessThanOrEqual(1);
        expect(r.frame_count).toBeGreaterThanOrEqual(3);
        expect((r.first_seen_at as Date).getTime()).toBeLessThanOrEqual((r.occurred_at as Date).getTime());
        expect((r.occurred_at as Date).getTime()).toBeLessThanOrEqual((r.last_seen_at as Date).getTime());
        const models = typeof r.models === 'string' ? JSON.parse(r.models) : r.models;
        expect(models.scene).toMatch(/^yolox_nano\.onnx@c789161e$/);
        expect(r.evidence_count).toBeGreaterThanOrEqual(2);
      }
      const [dups] = await admin.query<mysql.RowDataPacket[]>(
        `SELECT event_id FROM ${DB}.violations GROUP BY event_id HAVING COUNT(*) > 1`,
      );
      expect(dups).toEqual([]);
    });

    it('stores each evidence JPEG with the sha256 of its bytes', async () => {
      const [ev] = await admin.query<mysql.RowDataPacket[]>(
        `SELECT e.event_id, e.kind, e.sha256, SHA2(e.jpeg, 256) AS actual, LENGTH(e.jpeg) AS bytes, HEX(LEFT(e.jpeg, 2)) AS magic
           FROM ${DB}.violation_evidence e JOIN ${DB}.violations v USING (event_id)`,
      );
      expect(ev.length).toBeGreaterThanOrEqual(2);
      for (const e of ev) {
        expect(e.actual).toBe(e.sha256);
        expect(e.magic).toBe('FFD8');
        expect(e.bytes).toBeGreaterThan(1000);
      }
      expect(new Set(ev.map((e) => e.kind as string))).toContain('frame');
      expect(new Set(ev.map((e) => e.kind as string))).toContain('rider');
    });

    it('leaves nothing in the queue on the box, and reports its heartbeat', async () => {
      const stats = await runCli(['queue', 'stats', '--json', '--config', configFile], { env: { ROADSIDE_MODELS_DIR: modelsDir } });
      expect(stats.code, stats.stderr).toBe(0);
      const s = JSON.parse(stats.stdout);
      expect(s.pending).toBe(0);
      expect(s.dead).toBe(0);
      const [cams] = await admin.query<mysql.RowDataPacket[]>(`SELECT camera_id, provider, frames FROM ${DB}.cameras`);
      expect(cams).toHaveLength(1);
      expect(cams[0]!.camera_id).toBe('e2e-cam');
      expect(cams[0]!.provider).toBe('cpu');
    });

    it('leaves no ffmpeg behind', () => {
      const ps = spawnSync('ps', ['-eo', 'pid,ppid,args'], { encoding: 'utf8' }).stdout;
      const leftovers = ps.split('\n').filter((l) => l.includes('ffmpeg') && l.includes(`127.0.0.1:${server.port}`));
      expect(leftovers).toEqual([]);
      expect(existsSync(`/proc/${agentPid}`)).toBe(false);
    });
  },
);
