// A queue file that vanished, was emptied or lost records while the agent was stopped is noticed
// at the next start (RSA_QUEUE_SHRANK), against what the last clean stop recorded.
import { copyFileSync, mkdtempSync, rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Queue } from '../../src/queue/queue.js';
import { captureLogger } from './capture-logger.js';
import { makeViolations } from './make-violation.js';

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rsa-mark-'));
  file = join(dir, 'cam.sqlite');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function open() {
  const log = captureLogger();
  const q = Queue.open({ file, maxBytes: 1e9, logger: log.logger, reserveBytes: 0, stopMark: true });
  return { q, shrank: () => log.lines.filter((l) => l.code === 'RSA_QUEUE_SHRANK') };
}

function stoppedWith(n: number): void {
  const { q } = open();
  for (const v of makeViolations(n)) q.enqueue(v);
  q.close();
}

describe('queue changes while the agent was stopped', () => {
  it('a clean restart says nothing', () => {
    stoppedWith(5);
    const { q, shrank } = open();
    expect(shrank()).toEqual([]);
    q.close();
  });

  it('a file truncated to 0 bytes is reported with what it held', () => {
    stoppedWith(5);
    truncateSync(file, 0);
    const { q, shrank } = open();
    expect(shrank()).toHaveLength(1);
    expect(shrank()[0]).toMatchObject({ level: 'error', records_at_stop: 5 });
    expect(shrank()[0]!.msg).toMatch(/empty \(0 bytes\); it held 5 record/);
    q.close();
  });

  it('a vanished file is reported', () => {
    stoppedWith(4);
    rmSync(file);
    const { q, shrank } = open();
    expect(shrank().map((l) => l.msg)).toEqual([expect.stringMatching(/vanished while the agent was stopped: it held 4 record/)]);
    q.close();
  });

  it('an older, smaller copy put back is reported with the number missing', () => {
    stoppedWith(2);
    copyFileSync(file, join(dir, 'old.sqlite'));
    const { q } = open();
    for (const v of makeViolations(3)) q.enqueue(v);
    q.close();
    copyFileSync(join(dir, 'old.sqlite'), file);
    const again = open();
    expect(again.shrank()[0]).toMatchObject({ records_at_stop: 5, records_now: 2 });
    expect(again.shrank()[0]!.msg).toMatch(/3 went missing/);
    again.q.close();
  });

  it('after a kill (no clean stop) nothing is compared', () => {
    const { q } = open();
    for (const v of makeViolations(3)) q.enqueue(v);
    // no close(): the process died
    const again = open();
    expect(again.shrank()).toEqual([]);
    again.q.close();
    q.close();
  });
});
