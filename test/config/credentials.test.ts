import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readPassword } from '../../src/config/credentials.js';
import { validateConfig } from '../../src/config/load.js';
import { exampleConfig } from '../helpers/config.js';

function central(extra: Record<string, unknown> = {}) {
  const raw = exampleConfig();
  Object.assign(raw.central, extra);
  return validateConfig(raw).central;
}

function secretFile(mode: number, text = 'pw-from-file\n'): string {
  const file = join(mkdtempSync(join(tmpdir(), 'rsa-cred-')), 'mysql-password');
  writeFileSync(file, text);
  chmodSync(file, mode);
  return file;
}

describe('MySQL password', () => {
  it('reads the first line of the password file', () => {
    const file = secretFile(0o600);
    expect(readPassword(central({ password_file: file }), {})).toEqual({ password: 'pw-from-file', from: `file ${file}` });
  });

  it('refuses a world-readable password file, naming the field and the fix', () => {
    const file = secretFile(0o644);
    expect(() => readPassword(central({ password_file: file }), {})).toThrow(/central.password_file: .*world-readable.*chmod 600/);
  });

  it('says which password file is missing', () => {
    expect(() => readPassword(central({ password_file: '/nonexistent/pw' }), {})).toThrow(/central.password_file: cannot read \/nonexistent\/pw/);
  });

  it("uses systemd's credential directory when no file is configured", () => {
    const file = secretFile(0o400, 'from-systemd');
    const dir = file.replace(/\/mysql-password$/, '');
    expect(readPassword(central(), { CREDENTIALS_DIRECTORY: dir }).password).toBe('from-systemd');
  });

  it('falls back to the environment variable, then to none', () => {
    expect(readPassword(central({ password_env: 'PW' }), { PW: 'from-env' })).toEqual({
      password: 'from-env',
      from: 'environment variable PW',
    });
    expect(readPassword(central(), {}).password).toBeUndefined();
  });
});
