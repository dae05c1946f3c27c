// SIGTERM to the real CLI while it is delivering a backlog: the agent stops within its
// shutdown deadline with exit 0, and every violation is either in MariaDB or still in the
// queue on the box: none lost, none delivered twice.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config/load.js';
import { Queue } from '../../src/queue/queue.js';
import { silentLogger } from '../../src/shared/logger.js';
import { cliPath, runCli } from '../helpers/cli.js';
import { exampleConfig, writeConfig } from '../helpers/config.js';
import { hasMedia, hasModels, mediaDir, modelsDir, skipNotice } from '../helpers/env.js';
import { makeViolation } from '../queue/make-violation.js';

const DB = `rsa_e2e_stop_${process.pid}`;
const BACKLOG = 3000;

describe.skipIf(skipNotice('SIGTERM during a flush (real CLI, real models)', hasModels && hasMedia, modelsDir))(
  'SIGTERM while the agent delivers a backlog',
  () => {
    let dir: string;
    let admin: mysql.Connection;
    let configFile: string;
    let deadlineMs = 0;
    const ids = new Set<string>();
    let result: { code: number | null; ms: number; deliveredBeforeTerm: number } = { code: null, ms: 0, deliveredBeforeTerm: 0 };

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'rsa-stop-'));
      admin = await mysql.createConnection({ host: '127.0.0.1', user: 'root', password: '' });
      await admin.query(`DROP DATABASE IF EXISTS ${DB}`);
      await admin.query(`CREATE DATABASE ${DB}`);
      const raw = exampleConfig();
      raw.camera.id = 'stop-cam';
      raw.camera.source = { url: join(mediaDir, 'in/nhutanh_test1.mp4'), loop: true, realtime: true };
      raw.queue.state_dir = join(dir, 'state');
      raw.central.database = DB;
      raw.central.batch_size = 50; // many small transactions: SIGTERM lands inside one
      raw.central.drain_deadline_s = 1; // the last flush gives up early: the rest must stay queued
      raw.operate.log_file = null;
      raw.operate.log_stdout = true;
      raw.operate.health.port = 0;
      configFile = writeConfig(raw);
      deadlineMs = validateConfig(raw).operate.shutdown_deadline_s * 1000;
      const migrate = await runCli(['db', 'migrate', '--config', configFile], { env: { ROADSIDE_MODELS_DIR: modelsDir } });
      expect(migrate.code, migrate.stderr).toBe(0);

      // A backlog on the box, as after an outage: 3,000 violations with 3 × 20 KB evidence.
      mkdirSync(join(dir, 'state'));
      const queue = Queue.open({ file: join(dir, 'state', 'stop-cam.sqlite'), maxBytes: 2e9, logger: silentLogger() });
      for (let i = 0; i < BACKLOG; i++) {
        const v = makeViolation({ cameraId: 'stop-cam', evidenceBytes: 20_000, occurredAt: Date.UTC(2026, 0, 1) + i * 1000 });
        queue.enqueue(v);
        ids.add(v.id);
      }
      queue.close();

      const child = spawn(process.execPath, [cliPath, 'run', '--config', configFile], {
        env: { ...process.env, ROADSIDE_MODELS_DIR: modelsDir },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      const guard = setTimeout(() => child.kill('SIGKILL'), 120_000);
      // Wait until delivery is under way, then stop it mid-flush.
      let delivered = 0;
      for (let i = 0; i < 600 && delivered < 100; i++) {
        await new Promise((r) => setTimeout(r, 100));
        const [rows] = await admin.query<mysql.RowDataPacket[]>(`SELECT COUNT(*) AS n FROM ${DB}.violations`).catch(() => [[{ n: 0 }]] as never);
        delivered = Number(rows[0]?.n ?? 0);
      }
      const t0 = Date.now();
      child.kill('SIGTERM');
      const code = await exited;
      clearTimeout(guard);
      result = { code, ms: Date.now() - t0, deliveredBeforeTerm: delivered };
    }, 180_000);

    afterAll(async () => {
      await admin?.query(`DROP DATABASE IF EXISTS ${DB}`);
      await admin?.end();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('exits 0 within the shutdown deadline', () => {
      expect(result.deliveredBeforeTerm).toBeGreaterThanOrEqual(100);
      expect(result.code).toBe(0);
      expect(result.ms).toBeLessThan(deadlineMs);
    });

    it('has every violation either in MariaDB or in the queue, exactly once', async () => {
      const [rows] = await admin.query<mysql.RowDataPacket[]>(`SELECT event_id FROM ${DB}.violations`);
      const central = rows.map((r) => r.event_id as string);
      expect(new Set(central).size).toBe(central.length);
      const queue = Queue.open({ file: join(dir, 'state', 'stop-cam.sqlite'), maxBytes: 2e9, logger: silentLogger() });
      const pending = queue.list(BACKLOG).map((r) => r.id);
      const dead = queue.stats().dead;
      queue.close();
      console.info(`SIGTERM mid-flush: ${central.length} in MariaDB, ${pending.length} still queued, ${dead} dead, stop took ${result.ms} ms`);
      expect(dead).toBe(0);
      expect(central.filter((id) => pending.includes(id))).toEqual([]);
      expect(new Set([...central, ...pending])).toEqual(ids);
    });
  },
);
