import { describe, expect, it } from 'vitest';
import { backoffDelayMs } from '../../src/capture/backoff.js';

const policy = { initial_s: 1, max_s: 60, factor: 2, jitter: 0.2 };
const mid = () => 0.5; // no jitter: 2 * 0.5 - 1 = 0

describe('reconnect backoff', () => {
  it('grows by the factor per consecutive failure', () => {
    expect([1, 2, 3, 4, 5].map((n) => backoffDelayMs(n, policy, mid))).toEqual([1000, 2000, 4000, 8000, 16000]);
  });

  it('is capped at max_s', () => {
    expect(backoffDelayMs(7, policy, mid)).toBe(60_000);
    expect(backoffDelayMs(1000, policy, mid)).toBe(60_000);
  });

  it('spreads each delay by ±jitter with the injected randomness', () => {
    expect(backoffDelayMs(3, policy, () => 0)).toBe(3200); // 4 s - 20%
    expect(backoffDelayMs(3, policy, () => 0.999999)).toBe(4800); // 4 s + 20% (rounded)
    expect(backoffDelayMs(3, { ...policy, jitter: 0 }, () => 0)).toBe(4000);
  });

  it('never exceeds the cap, even with jitter upwards', () => {
    expect(backoffDelayMs(10, policy, () => 0.999999)).toBe(60_000);
    expect(backoffDelayMs(10, policy, () => 0)).toBe(48_000);
  });

  it('treats 0 or negative failures as the first', () => {
    expect(backoffDelayMs(0, policy, mid)).toBe(1000);
    expect(backoffDelayMs(-3, policy, mid)).toBe(1000);
  });

  it('honours sub-second delays (soak and tests)', () => {
    expect(backoffDelayMs(1, { initial_s: 0.01, max_s: 0.05, factor: 3, jitter: 0 })).toBe(10);
    expect(backoffDelayMs(4, { initial_s: 0.01, max_s: 0.05, factor: 3, jitter: 0 })).toBe(50);
  });
});
