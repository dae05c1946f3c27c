import { describe, expect, it } from 'vitest';
import { backoffDelay, sleep } from '../../src/flush/backoff.js';

const policy = { initial_s: 1, max_s: 60, factor: 2, jitter: 0.2 };

describe('backoff', () => {
  it('grows exponentially from the initial delay and stops at the cap', () => {
    const mid = () => 0.5; // no jitter
    expect([1, 2, 3, 4, 7, 8, 50].map((n) => backoffDelay(n, policy, mid))).toEqual([1000, 2000, 4000, 8000, 60000, 60000, 60000]);
  });

  it('spreads each delay by the jitter share, never above the cap', () => {
    expect(backoffDelay(1, policy, () => 0)).toBe(800);
    expect(backoffDelay(1, policy, () => 1)).toBe(1200);
    expect(backoffDelay(20, policy, () => 1)).toBe(60000);
    expect(backoffDelay(20, policy, () => 0)).toBe(48000);
  });

  it('sleep rejects with the reason as soon as the signal aborts', async () => {
    const ac = new AbortController();
    const p = sleep(60_000, ac.signal);
    ac.abort(new Error('stop'));
    await expect(p).rejects.toThrow('stop');
  });
});
