import { describe, expect, it } from 'vitest';
import { LatestSlot } from '../../src/capture/latest-frame.js';

describe('latest-frame hand-off', () => {
  it('hands a waiting consumer the item at once, dropping nothing', async () => {
    const slot = new LatestSlot<number>();
    const p = slot.next();
    expect(slot.put(1)).toBeNull();
    await expect(p).resolves.toBe(1);
  });

  it('a newer item overtakes one that waits; the overtaken one is returned as dropped', async () => {
    const slot = new LatestSlot<number>();
    expect(slot.put(1)).toBeNull();
    expect(slot.put(2)).toBe(1);
    expect(slot.put(3)).toBe(2);
    await expect(slot.next()).resolves.toBe(3);
    const later = slot.next();
    slot.put(4);
    await expect(later).resolves.toBe(4);
  });

  it('counts exactly the overtaken items for a slow consumer', async () => {
    const slot = new LatestSlot<number>();
    let dropped = 0;
    const got: number[] = [];
    for (let i = 0; i < 100; i++) {
      if (slot.put(i) !== null) dropped++;
      if (i % 10 === 9) got.push((await slot.next())!);
    }
    expect(got).toEqual([9, 19, 29, 39, 49, 59, 69, 79, 89, 99]);
    expect(dropped).toBe(90);
  });

  it('close delivers the waiting item, then null', async () => {
    const slot = new LatestSlot<number>();
    slot.put(5);
    slot.close();
    await expect(slot.next()).resolves.toBe(5);
    await expect(slot.next()).resolves.toBeNull();
    expect(slot.put(6)).toBe(6);
  });

  it('close with discard drops the waiting item and wakes a waiting consumer with null', async () => {
    const slot = new LatestSlot<number>();
    slot.put(5);
    expect(slot.close(true)).toEqual([5]);
    await expect(slot.next()).resolves.toBeNull();
    const s2 = new LatestSlot<number>();
    const p = s2.next();
    s2.close(true);
    await expect(p).resolves.toBeNull();
  });

  it('with a capacity, keeps that many in order and drops the oldest beyond it', async () => {
    const slot = new LatestSlot<number>(3);
    expect([1, 2, 3].map((i) => slot.put(i))).toEqual([null, null, null]);
    expect(slot.put(4)).toBe(1);
    await expect(slot.next()).resolves.toBe(2);
    await expect(slot.next()).resolves.toBe(3);
    expect(slot.close(true)).toEqual([4]);
  });

  it('fail rejects the consumer with the error', async () => {
    const slot = new LatestSlot<number>();
    const p = slot.next();
    slot.fail(new Error('gave up'));
    await expect(p).rejects.toThrow('gave up');
    await expect(slot.next()).rejects.toThrow('gave up');
  });

  it('an aborted signal rejects the wait and leaves the slot usable', async () => {
    const slot = new LatestSlot<number>();
    const ac = new AbortController();
    const p = slot.next(ac.signal);
    ac.abort(new Error('shutting down'));
    await expect(p).rejects.toThrow('shutting down');
    slot.put(1);
    await expect(slot.next()).resolves.toBe(1);
    await expect(slot.next(AbortSignal.abort())).rejects.toBeInstanceOf(Error);
  });

  it('allows one waiting consumer only', async () => {
    const slot = new LatestSlot<number>();
    const first = slot.next();
    await expect(slot.next()).rejects.toThrow(/one consumer/);
    slot.put(1);
    await expect(first).resolves.toBe(1);
  });
});
