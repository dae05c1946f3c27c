import { describe, expect, it } from 'vitest';
import { minorGc, YoungCollector } from '../../src/shared/young-gc.js';

describe('YoungCollector', () => {
  it('scavenges once the bytes made reach the limit, then counts again from zero', () => {
    let calls = 0;
    const young = new YoungCollector(() => calls++, 100);
    young.add(60);
    expect(calls).toBe(0);
    young.add(40);
    expect(calls).toBe(1);
    young.add(99);
    expect(calls).toBe(1);
    young.add(250);
    expect(calls).toBe(2);
    expect(young.collections).toBe(2);
  });

  it('without a minor GC only counts', () => {
    const young = new YoungCollector(null, 10);
    young.add(1000);
    expect(young.collections).toBe(0);
  });

  it("finds this isolate's minor GC and it runs", () => {
    const gc = minorGc();
    expect(gc).not.toBeNull();
    expect(() => gc?.()).not.toThrow();
  });
});
