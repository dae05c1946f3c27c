// A real full disk: the queue file on a 4 MB tmpfs with a 2 MiB reserve, more than the short WAL
// (needs root / CAP_SYS_ADMIN; skipped with a notice otherwise). The queue must refuse with
// RSA_QUEUE_FULL, keep every committed record, and accept again once acks free space.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue } from '../../src/queue/queue.js';
import { isAgentError } from '../../src/shared/errors.js';
import { silentLogger } from '../../src/shared/logger.js';
import { makeViolation } from '../queue/make-violation.js';

const dir = mkdtempSync(join(tmpdir(), 'rsa-tmpfs-'));
let mounted = false;
try {
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', dir], { stdio: 'ignore' });
  mounted = true;
} catch {
  console.warn('SKIPPED: queue on a full disk: cannot mount a tmpfs here (needs root)');
}

afterAll(() => {
  if (mounted) execFileSync('umount', [dir]);
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!mounted)('queue on a really full disk', () => {
  let q: Queue;
  beforeAll(() => {
    q = Queue.open({ file: join(dir, 'cam.sqlite'), maxBytes: 1_000_000_000, logger: silentLogger(), reserveBytes: 2 * 1024 * 1024 });
  });
  afterAll(() => q.close());

  it('refuses with RSA_QUEUE_FULL, keeps what it committed, and accepts again after acks', () => {
    const stored: string[] = [];
    let refused: unknown;
    for (let i = 0; i < 200 && !refused; i++) {
      const v = makeViolation({ evidenceBytes: 20_000 });
      try {
        q.enqueue(v);
        stored.push(v.id);
      } catch (err) {
        refused = err;
      }
    }
    expect(isAgentError(refused, 'RSA_QUEUE_FULL')).toBe(true);
    expect(stored.length).toBeGreaterThan(5);
    expect(q.lease(1000).map((r) => r.id)).toEqual(stored);
    q.ack(stored.slice(0, 10));
    const v = makeViolation({ evidenceBytes: 20_000 });
    q.enqueue(v);
    expect(q.lease(1000).map((r) => r.id)).toEqual([...stored.slice(10), v.id]);
  });
});
