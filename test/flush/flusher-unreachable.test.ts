// MySQL unreachable at start: WARNs, never a crash; records stay queued; the signal stops it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { Flusher } from '../../src/flush/flusher.js';
import { Queue } from '../../src/queue/queue.js';
import { centralConfigFor, freePort } from '../helpers/mariadb.js';
import { captureLogger } from '../queue/capture-logger.js';
import { makeViolations } from '../queue/make-violation.js';

it('warns and keeps records queued while central MySQL is unreachable, and stops on abort', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rsa-unreach-'));
  const { logger, lines } = captureLogger();
  const queue = Queue.open({ file: join(dir, 'q.sqlite'), maxBytes: 1e9, logger, reserveBytes: 0 });
  try {
    for (const v of makeViolations(5)) queue.enqueue(v);
    const port = await freePort(); // nothing listens there
    const f = new Flusher({
      central: centralConfigFor({ endpoint: { host: '127.0.0.1', port }, name: 'nowhere' }, { retry: { initial_s: 0.05, max_s: 0.1 } }),
      password: undefined,
      queue,
      logger,
      cameraId: 'c',
      cameraLocation: 'l',
      agentVersion: 'v',
      stats: () => ({ frames: 0, violations: 0, provider: 'cpu' }),
    });
    const ac = new AbortController();
    const running = f.start(ac.signal);
    await new Promise((r) => setTimeout(r, 600));
    ac.abort();
    await running;
    await f.close();
    const warns = lines.filter((l) => l.level === 'warn' && l.code === 'RSA_CENTRAL_UNREACHABLE');
    expect(warns.length).toBeGreaterThanOrEqual(2);
    expect(warns.some((w) => w.error_type === 'ECONNREFUSED')).toBe(true);
    expect(lines.filter((l) => l.level === 'error' || l.level === 'fatal')).toEqual([]);
    expect(f.counters.centralReachable).toBe(false);
    expect(queue.stats()).toMatchObject({ pending: 5, dead: 0 });
    expect(queue.list()[0]!.attempts).toBeGreaterThanOrEqual(1);
  } finally {
    queue.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
