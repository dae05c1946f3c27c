import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { AgentError } from '../shared/errors.js';
import type { CentralConfig } from './schema.js';

export interface PasswordSource {
  password: string | undefined;
  /** Where it came from, for log lines (never the value). */
  from: string;
}

/**
 * The MySQL password: from central.password_file, else systemd's credential
 * ($CREDENTIALS_DIRECTORY/mysql-password, from LoadCredential=), else the environment
 * variable central.password_env, else none. A password file readable by others is refused.
 */
export function readPassword(central: CentralConfig, env: NodeJS.ProcessEnv = process.env): PasswordSource {
  const file =
    central.password_file ?? (env.CREDENTIALS_DIRECTORY ? join(env.CREDENTIALS_DIRECTORY, 'mysql-password') : undefined);
  if (file) {
    let mode: number;
    try {
      mode = statSync(file).mode;
    } catch (err) {
      if (central.password_file)
        throw new AgentError('RSA_CREDENTIALS', `central.password_file: cannot read ${file}: ${(err as Error).message}`, { cause: err });
      mode = -1; // no systemd credential of that name: fall through to the environment
    }
    if (mode !== -1) {
      if ((mode & 0o004) !== 0)
        throw new AgentError(
          'RSA_CREDENTIALS',
          `central.password_file: ${file} is world-readable (mode ${(mode & 0o777).toString(8)}); chmod 600 it`,
        );
      const text = readFileSync(file, 'utf8');
      return { password: text.split(/\r?\n/)[0] ?? '', from: `file ${file}` };
    }
  }
  const value = env[central.password_env];
  if (value !== undefined) return { password: value, from: `environment variable ${central.password_env}` };
  return { password: undefined, from: 'none (no password file, credential or environment variable)' };
}
