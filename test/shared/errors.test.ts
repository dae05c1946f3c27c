import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AgentError, ERROR_CODES, describeError, isAgentError } from '../../src/shared/errors.js';
import { repoRoot } from '../helpers/env.js';

describe('error catalogue', () => {
  it('README documents every error code with its meaning, and nothing else', () => {
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    const section = readme.split('<!-- error-codes:start -->')[1]?.split('<!-- error-codes:end -->')[0] ?? '';
    const documented = Object.fromEntries(
      [...section.matchAll(/^\| `(RSA_[A-Z_]+)` \| (.+) \|$/gm)].map((m) => [m[1], m[2]]),
    );
    expect(documented).toEqual(ERROR_CODES);
  });

  it('keeps the code and the cause', () => {
    const cause = new Error('ECONNREFUSED');
    const err = new AgentError('RSA_CENTRAL_UNREACHABLE', 'db down', { cause });
    expect(isAgentError(err, 'RSA_CENTRAL_UNREACHABLE')).toBe(true);
    expect(isAgentError(err, 'RSA_QUEUE_IO')).toBe(false);
    expect(err.cause).toBe(cause);
  });

  it.each([
    [Object.assign(new Error('connect failed'), { code: 'ECONNREFUSED' }), 'ECONNREFUSED: connect failed'],
    [new Error('plain'), 'plain'],
    ['a string', 'a string'],
  ])('describes %s in one line', (err, text) => {
    expect(describeError(err)).toBe(text);
  });
});
