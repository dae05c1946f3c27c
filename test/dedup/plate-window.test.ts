import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createDedup, type DedupCandidate } from '../../src/dedup/plate-window.js';
import { fakeClock } from '../track/fixtures.js';

function memoryLogger(): { logger: pino.Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'debug' }, { write: (s: string) => lines.push(JSON.parse(s) as Record<string, unknown>) });
  return { logger, lines };
}

type Step = { at: number; plate: string | null; track: number; keep: boolean };

function run(steps: Step[], windowMs = 60_000, maxPlateDistance = 1) {
  const clock = fakeClock(0);
  const { logger, lines } = memoryLogger();
  const dedup = createDedup({ windowMs, maxPlateDistance, clock, logger });
  const got = steps.map((s) => {
    clock.set(s.at);
    const c: DedupCandidate = { type: 'no_helmet', plateText: s.plate, trackId: s.track };
    return dedup.check(c).keep;
  });
  return { got, dedup, lines };
}

describe('dedup window', () => {
  it.each<{ name: string; steps: Step[]; duplicates: { same_plate_in_window: number; same_track: number } }>([
    {
      name: 'ABC1234, A8C1234 and ABC123 inside the window are one violation',
      steps: [
        { at: 0, plate: 'ABC1234', track: 1, keep: true },
        { at: 10_000, plate: 'A8C1234', track: 2, keep: false },
        { at: 50_000, plate: 'ABC123', track: 3, keep: false },
      ],
      duplicates: { same_plate_in_window: 2, same_track: 0 },
    },
    {
      name: 'the same plate after the window is two violations',
      steps: [
        { at: 0, plate: 'ABC1234', track: 1, keep: true },
        { at: 60_000, plate: 'ABC1234', track: 2, keep: true },
      ],
      duplicates: { same_plate_in_window: 0, same_track: 0 },
    },
    {
      name: 'a duplicate does not extend the window',
      steps: [
        { at: 0, plate: 'ABC1234', track: 1, keep: true },
        { at: 59_000, plate: 'ABC1234', track: 2, keep: false },
        { at: 61_000, plate: 'ABC1234', track: 3, keep: true },
      ],
      duplicates: { same_plate_in_window: 1, same_track: 0 },
    },
    {
      name: 'two different bikes are never merged',
      steps: [
        { at: 0, plate: '59X112345', track: 1, keep: true },
        { at: 1_000, plate: '51F198765', track: 2, keep: true },
        { at: 2_000, plate: '59X112345', track: 3, keep: false },
      ],
      duplicates: { same_plate_in_window: 1, same_track: 0 },
    },
    {
      name: 'violations without a plate are kept once per track',
      steps: [
        { at: 0, plate: null, track: 1, keep: true },
        { at: 1_000, plate: null, track: 2, keep: true },
        { at: 2_000, plate: null, track: 1, keep: false },
        { at: 3_000, plate: '', track: 3, keep: true },
      ],
      duplicates: { same_plate_in_window: 0, same_track: 1 },
    },
    {
      name: 'a plate-less violation never swallows one with a plate',
      steps: [
        { at: 0, plate: null, track: 1, keep: true },
        { at: 1_000, plate: 'ABC1234', track: 2, keep: true },
      ],
      duplicates: { same_plate_in_window: 0, same_track: 0 },
    },
  ])('$name', ({ steps, duplicates }) => {
    const { got, dedup, lines } = run(steps);
    expect(got).toEqual(steps.map((s) => s.keep));
    expect(dedup.stats().duplicates).toEqual(duplicates);
    expect(dedup.stats().kept).toBe(steps.filter((s) => s.keep).length);
    const logged = lines.filter((l) => l.msg === 'duplicate violation dropped');
    // One debug line per dropped duplicate, with the reason it was counted under.
    expect({
      same_plate_in_window: logged.filter((l) => l.reason === 'same_plate_in_window').length,
      same_track: logged.filter((l) => l.reason === 'same_track').length,
    }).toEqual(duplicates);
    for (const l of logged) expect(l.level).toBe(20);
  });

  it('logs each dropped duplicate at debug with its reason and the plate it matched', () => {
    const { lines } = run([
      { at: 0, plate: 'ABC1234', track: 1, keep: true },
      { at: 5_000, plate: 'A8C1234', track: 2, keep: false },
    ]);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 20, reason: 'same_plate_in_window', plate: 'A8C1234', matchedPlate: 'ABC1234', ageMs: 5_000 });
  });

  it('forgets entries older than the window (bounded memory)', () => {
    const steps: Step[] = Array.from({ length: 1_000 }, (_, i) => ({ at: i * 1_000, plate: `P${String(i).padStart(6, '0')}`, track: i + 1, keep: true }));
    const { dedup } = run(steps, 60_000, 0);
    // At t = 999 s only the last 60 s of entries are remembered.
    expect(dedup.stats().entries).toBe(60);
  });

  it('holds at most maxEntries even inside the window', () => {
    const clock = fakeClock(0);
    const dedup = createDedup({ windowMs: 3_600_000, maxPlateDistance: 0, clock, logger: memoryLogger().logger, maxEntries: 100 });
    for (let i = 0; i < 500; i++) dedup.check({ type: 'no_helmet', plateText: `Q${i}XYZ`, trackId: i });
    expect(dedup.stats().entries).toBe(100);
  });
});
