// check-config through the real CLI, with the real models, ffprobe and MariaDB.
import { randomBytes } from 'node:crypto';
import { chmodSync } from 'node:fs';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { exampleConfig, writeConfig } from '../helpers/config.js';
import { hasMedia, hasModels, mediaDir, modelsDir, skipNotice } from '../helpers/env.js';
import { canConnect, createTestDatabase, type TestDatabase, migrateTestDatabase } from '../helpers/mariadb.js';

const env = { ROADSIDE_MODELS_DIR: modelsDir };

function configWith(mutate: (c: ReturnType<typeof exampleConfig>) => void): string {
  const raw = exampleConfig();
  raw.camera.source.url = `${mediaDir}/in/nhutanh_test1.mp4`;
  raw.queue.state_dir = '/tmp/rsa-check-config-state';
  raw.operate.log_file = null;
  mutate(raw);
  return writeConfig(raw);
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

describe('check-config, schema only', () => {
  it('exits 78 on an unknown key, naming it', async () => {
    const r = await runCli(['check-config', '--no-probes', configWith((c) => (c.camera.fsp = 5))], { env });
    expect(r.code).toBe(78);
    expect(r.stderr).toContain('camera.fsp: unknown key');
  });

  it('exits 78 on a wrong type, naming the field', async () => {
    const r = await runCli(['check-config', '--no-probes', configWith((c) => (c.central.port = '3306'))], { env });
    expect(r.code).toBe(78);
    expect(r.stderr).toMatch(/central\.port: .*expected number/);
  });

  it('exits 78 on a file that is not JSON', async () => {
    const r = await runCli(['check-config', writeConfig('{"camera": [')], { env });
    expect(r.code).toBe(78);
    expect(r.stderr).toMatch(/RSA_CONFIG_READ[\s\S]*not valid JSON/);
  });

  it('exits 64 on a usage error', async () => {
    const r = await runCli(['check-config'], { env });
    expect(r.code).toBe(64);
    expect(r.stderr).toMatch(/missing required argument 'file'/);
  });
});

describe.skipIf(skipNotice('check-config probes', hasModels && hasMedia && (await canConnect()), modelsDir))('check-config, probes', () => {
  let tdb: TestDatabase;
  beforeAll(async () => {
    tdb = await createTestDatabase();
    await migrateTestDatabase(tdb);
  });
  afterAll(async () => tdb?.drop());

  it('passes on the example config pointed at a real clip and a migrated database', async () => {
    const r = await runCli(['check-config', configWith((c) => (c.central.database = tdb.name))], { env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/ok {4}models\.scene\.path: .*yolox_nano\.onnx loads/);
    expect(r.stdout).toMatch(/ok {4}camera\.source\.url: .* answers: \w+ 1920 1080/);
    expect(r.stdout).toMatch(/ok {4}central: root@127\.0\.0\.1:3306\/rsa_test_\w+ accepts the connection .*schema version 3 with every table and column/);
  });

  it('reports a database without the schema, and one missing a table, naming what is missing (exit 69)', async () => {
    const bare = await createTestDatabase();
    const empty = await runCli(['check-config', configWith((c) => (c.central.database = bare.name))], { env });
    await bare.drop();
    expect(empty.code).toBe(69);
    expect(empty.stderr).toMatch(/FAIL {2}central\.schema: .*schema version 0, the agent needs 3; missing table\(s\) violations, violation_evidence, cameras: run `roadside-agent db migrate`/);
    await tdb.query('ALTER TABLE violations DROP COLUMN evidence_damaged');
    const r = await runCli(['check-config', configWith((c) => (c.central.database = tdb.name))], { env });
    expect(r.code).toBe(69);
    expect(r.stderr).toMatch(/FAIL {2}central\.schema: .*missing column\(s\) violations\.evidence_damaged/);
  });

  it('fails with exit 78 on a missing model file, naming the field and file', async () => {
    const r = await runCli(['check-config', configWith((c) => (c.models.scene.path = 'coco/missing.onnx'))], { env });
    expect(r.code).toBe(78);
    expect(r.stderr).toMatch(/FAIL {2}models\.scene\.path: model file not found or not readable: .*coco\/missing\.onnx/);
  });

  it('fails on a model file that is not a model', async () => {
    const bogus = writeConfig('not an onnx model', 'bogus.onnx');
    const r = await runCli(['check-config', configWith((c) => (c.models.plate_reader.path = bogus))], { env });
    expect(r.code).toBe(78);
    expect(r.stderr).toMatch(/FAIL {2}models\.plate_reader\.path: .*bogus\.onnx does not load in ONNX Runtime/);
  });

  it('fails with exit 69 on an unreachable camera, with the password redacted', async () => {
    const port = await closedPort();
    const r = await runCli(['check-config', configWith((c) => (c.camera.source.url = `rtsp://admin:topsecret@127.0.0.1:${port}/live`))], {
      env,
    });
    expect(r.code).toBe(69);
    expect(r.stderr).toMatch(new RegExp(`FAIL {2}camera\\.source\\.url: rtsp://admin:\\*\\*\\*@127\\.0\\.0\\.1:${port}/live: .*(refused|Connection)`, 'i'));
    expect(r.stdout + r.stderr).not.toContain('topsecret');
  });

  it('fails with exit 69 on a wrong MySQL password, naming the credentials', async () => {
    const r = await runCli(['check-config', configWith((c) => (c.central.password_env = 'RSA_TEST_WRONG_PW'))], {
      env: { ...env, RSA_TEST_WRONG_PW: 'definitely-wrong' },
    });
    expect(r.code).toBe(69);
    expect(r.stderr).toMatch(/FAIL {2}central\.user \/ password: root@127\.0\.0\.1:3306\/test: .*Access denied/);
    expect(r.stdout + r.stderr).not.toContain('definitely-wrong');
  });

  it('exits 78 on a world-readable password file, as `run` does', async () => {
    const pw = writeConfig('secret\n', 'pw.txt');
    chmodSync(pw, 0o644);
    const r = await runCli(['check-config', configWith((c) => (c.central.password_file = pw))], { env });
    expect(r.code).toBe(78);
    expect(r.stderr).toMatch(/FAIL {2}central\.password_file: .*world-readable/);
  });

  it('a source that can never be a video is a config error for check-config and run alike (78), not a restart loop', async () => {
    const junk = writeConfig(randomBytes(100_000).toString('latin1'), 'notvideo.mp4');
    const mutate = (c: ReturnType<typeof exampleConfig>): void => {
      c.camera.source = { url: junk };
      c.camera.reconnect = { initial_s: 0.2, max_s: 0.5 };
      c.central.database = tdb.name;
      c.operate.health.port = 0;
    };
    const check = await runCli(['check-config', configWith(mutate)], { env });
    expect(check.code).toBe(78);
    expect(check.stderr).toMatch(/FAIL {2}camera\.source\.url \(not a video\): .*Invalid data found/);
    const run = await runCli(['run', '--config', configWith(mutate)], { env, timeoutMs: 60_000 });
    console.log(`not a video: check-config exit ${check.code}, run exit ${run.code}`);
    expect(run.code).toBe(78);
    expect(run.stdout + run.stderr).toMatch(/RSA_CAMERA_NOT_VIDEO/);
  }, 90_000);
});
