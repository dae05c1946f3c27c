// The shipped systemd files: the unit lints clean with systemd-analyze (and a broken one does
// not), and install-camera.sh puts a valid config and a root-only credential in place.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config/load.js';
import { repoRoot } from '../helpers/env.js';

const hasSystemdAnalyze = spawnSync('systemd-analyze', ['--version']).status === 0;
const unit = join(repoRoot, 'systemd/roadside-agent@.service');

/** The unit's one-word `Environment=NAME=value` lines, as the benches read them. */
function unitEnvironment(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const m of readFileSync(unit, 'utf8').matchAll(/^Environment=(\w+)=(\S*)$/gm)) env[m[1]!] = m[2]!;
  return env;
}

/** Node started with the unit's environment (plus `extra`): its stderr and whether jemalloc is mapped. */
function nodeWithUnitEnvironment(extra: Record<string, string> = {}): { status: number | null; stderr: string; jemalloc: boolean } {
  const r = spawnSync(process.execPath, ['-e', "process.stdout.write(require('fs').readFileSync('/proc/self/maps', 'utf8'))"], {
    env: { ...process.env, ...unitEnvironment(), ...extra },
    encoding: 'utf8',
  });
  return { status: r.status, stderr: r.stderr, jemalloc: /\/libjemalloc\.so\.2$/m.test(r.stdout) };
}
const hasJemalloc = nodeWithUnitEnvironment().jemalloc;

describe('systemd files', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rsa-systemd-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it.skipIf(!hasSystemdAnalyze)('scripts/verify-unit.sh passes the shipped unit', () => {
    const r = spawnSync('bash', [join(repoRoot, 'scripts/verify-unit.sh')], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it.skipIf(!hasSystemdAnalyze)('scripts/verify-unit.sh fails on an unknown key, which systemd-analyze only warns about', () => {
    const broken = join(dir, 'broken@.service');
    writeFileSync(broken, readFileSync(unit, 'utf8').replace('WatchdogSec=30', 'WatchdogSec=30\nWatchDogSecs=30'));
    const r = spawnSync('bash', [join(repoRoot, 'scripts/verify-unit.sh')], { encoding: 'utf8', env: { ...process.env, ROADSIDE_UNIT_FILE: broken } });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/Unknown key 'WatchDogSecs'/);
  });

  it('the unit has the settings the service depends on', () => {
    const text = readFileSync(unit, 'utf8');
    for (const line of [
      'Type=notify',
      'NotifyAccess=main',
      'ExecStart=/usr/bin/roadside-agent run --config /etc/roadside-agent/%i.json',
      'RestartPreventExitStatus=78',
      'LoadCredential=mysql-password:/etc/roadside-agent/credentials/%i.mysql-password',
      'KillMode=mixed',
    ])
      expect(text.split('\n')).toContain(line);
  });

  it('the unit preloads jemalloc, by soname, from the package scripts/setup.sh installs', () => {
    const env = unitEnvironment();
    expect(env.LD_PRELOAD).toBe('libjemalloc.so.2');
    expect(env.MALLOC_CONF).toBe('background_thread:true,dirty_decay_ms:1000,muzzy_decay_ms:0,narenas:1,tcache:false');
    // glibc's setting stays for a box without the library.
    expect(env.MALLOC_ARENA_MAX).toBe('2');
    const packages = /^APT_PACKAGES=\(([^)]*)\)/m.exec(readFileSync(join(repoRoot, 'scripts/setup.sh'), 'utf8'))?.[1] ?? '';
    expect(packages.split(/\s+/)).toContain('libjemalloc2');
  });

  it('a process started with the unit\'s environment runs when the preloaded library is missing', () => {
    const r = nodeWithUnitEnvironment({ LD_PRELOAD: 'libroadside-test-missing.so.2' });
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/libroadside-test-missing\.so\.2.*cannot be preloaded.*ignored/);
    expect(r.jemalloc).toBe(false);
  });

  it.skipIf(!hasJemalloc)('node started with the unit\'s environment runs on jemalloc, without a word on stderr', () => {
    const r = nodeWithUnitEnvironment();
    expect(r).toEqual({ status: 0, stderr: '', jemalloc: true });
  });

  it('install-camera.sh --root installs a valid config for the camera and a 0600 credential', () => {
    const out = join(dir, 'root');
    execFileSync('bash', [join(repoRoot, 'scripts/install-camera.sh'), '--root', out, '--bin', '/opt/roadside-agent/bin/roadside-agent', '--url', 'rtsp://10.0.0.5/stream2', '--location', 'Junction 4', 'cam-north-01'], {
      env: { ...process.env, ROADSIDE_MYSQL_PASSWORD: 's3cret' },
      stdio: 'pipe',
    });
    const config = JSON.parse(readFileSync(join(out, 'etc/roadside-agent/cam-north-01.json'), 'utf8'));
    const valid = validateConfig(config);
    expect(valid.camera).toMatchObject({ id: 'cam-north-01', location: 'Junction 4', source: { url: 'rtsp://10.0.0.5/stream2' } });
    expect(valid.queue.state_dir).toBeUndefined();
    expect(valid.operate.log_file).toBeUndefined();
    const cred = join(out, 'etc/roadside-agent/credentials/cam-north-01.mysql-password');
    expect(readFileSync(cred, 'utf8')).toBe('s3cret\n');
    expect(statSync(cred).mode & 0o777).toBe(0o600);
    expect(statSync(join(out, 'etc/roadside-agent/credentials')).mode & 0o777).toBe(0o700);
    expect(readFileSync(join(out, 'etc/systemd/system/roadside-agent@.service.d/exec-start.conf'), 'utf8')).toContain(
      'ExecStart=/opt/roadside-agent/bin/roadside-agent run --config /etc/roadside-agent/%i.json',
    );
  });

  it('install-camera.sh refuses a camera id systemd and the config would not accept', () => {
    const r = spawnSync('bash', [join(repoRoot, 'scripts/install-camera.sh'), '--root', join(dir, 'root'), 'cam/../x'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/camera id 'cam\/\.\.\/x'/);
  });
});
