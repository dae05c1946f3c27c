/**
 * Who may open the installer page.
 *
 * - Bound to loopback (the default) the page needs no token: reaching it takes a shell on the
 *   box or an SSH tunnel. The Host header must then name a loopback address, so a web page the
 *   installer's browser opens cannot reach the agent through DNS rebinding.
 * - Bound anywhere else it needs the token (operate.ui.token_file, or systemd's credential
 *   `ui-token`); without one the page answers 403 and says why. A token, once configured, is
 *   required on loopback too.
 * - The browser sends the token once (the login form); the agent answers with an HttpOnly,
 *   SameSite=Strict cookie holding an HMAC of the token, never the token itself. Scripts may send
 *   `Authorization: Bearer <token>` instead. Both are compared in constant time.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { AgentError } from '../../shared/errors.js';

export const SESSION_COOKIE = 'rsa_ui';
export const MIN_TOKEN_CHARS = 16;

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1') return true;
  return isIP(h) === 4 && h.startsWith('127.');
}

/** The token from the file, or null when no file is configured or passed by systemd. */
export function readToken(tokenFile: string | null, env: NodeJS.ProcessEnv): { token: string; from: string } | null {
  const credential = env.CREDENTIALS_DIRECTORY ? join(env.CREDENTIALS_DIRECTORY, 'ui-token') : null;
  const file = tokenFile ?? credential;
  if (!file) return null;
  let mode: number;
  try {
    mode = statSync(file).mode;
  } catch (err) {
    if (tokenFile === null) return null; // systemd passed no credential of that name
    throw new AgentError('RSA_UI_TOKEN', `operate.ui.token_file: cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
  if ((mode & 0o004) !== 0)
    throw new AgentError('RSA_UI_TOKEN', `operate.ui.token_file: ${file} is world-readable (mode ${(mode & 0o777).toString(8)}); chmod 600 it`);
  const token = (readFileSync(file, 'utf8').split(/\r?\n/)[0] ?? '').trim();
  if (token.length < MIN_TOKEN_CHARS)
    throw new AgentError('RSA_UI_TOKEN', `operate.ui.token_file: the token in ${file} has ${token.length} characters; use ${MIN_TOKEN_CHARS} or more`);
  return { token, from: tokenFile ? `file ${file}` : `systemd credential ${file}` };
}

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** Constant-time equality of two strings of any length (compares their SHA-256 digests). */
export function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

export function cookieValue(token: string): string {
  return createHmac('sha256', token).update('roadside-agent installer page').digest('base64url');
}

function cookies(req: IncomingMessage): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out.set(part.slice(0, i).trim(), part.slice(i + 1).trim());
  }
  return out;
}

export type Access = { ok: true } | { ok: false; status: 401 | 403; why: string };

export interface AccessPolicy {
  /** The page is served at all (false off loopback without a token). */
  readonly usable: boolean;
  readonly tokenRequired: boolean;
  check(req: IncomingMessage): Access;
  /** The token a login form sent is the right one. */
  accepts(token: string): boolean;
  /** Set-Cookie value after a good login. */
  sessionCookie(): string;
}

/** `broken`: why the token could not be read; the page then refuses every request with it. */
export function accessPolicy(bindHost: string, token: string | null, broken: string | null = null): AccessPolicy {
  const loopback = isLoopbackHost(bindHost);
  const session = token === null ? null : cookieValue(token);
  const usable = broken === null && (token !== null || loopback);
  return {
    usable,
    tokenRequired: token !== null,
    check(req) {
      if (!usable) return { ok: false, status: 403, why: broken ?? `the page is bound to ${bindHost} and has no token: set operate.ui.token_file` };
      if (token === null || session === null) {
        const host = (req.headers.host ?? '').replace(/:\d+$/, '');
        return isLoopbackHost(host) ? { ok: true } : { ok: false, status: 403, why: 'open the page through a loopback address (e.g. an SSH tunnel to 127.0.0.1)' };
      }
      const auth = req.headers.authorization;
      if (auth?.startsWith('Bearer ') && safeEqual(auth.slice(7).trim(), token)) return { ok: true };
      const c = cookies(req).get(SESSION_COOKIE);
      if (c !== undefined && safeEqual(c, session)) return { ok: true };
      return { ok: false, status: 401, why: 'token required' };
    },
    accepts: (t) => token !== null && safeEqual(t, token),
    sessionCookie: () => `${SESSION_COOKIE}=${session ?? ''}; HttpOnly; SameSite=Strict; Path=/ui/`,
  };
}
