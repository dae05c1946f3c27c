/**
 * Liveness of the agent's own loops. Each pipeline loop (detect, rules, flush…) registers
 * with the longest silence it may ever have, and beats every time it goes round.
 *
 * Contract for the loops: a loop that waits for input (detect waiting for a frame while the
 * camera is down, flush waiting on an empty queue) is alive and must still beat at least
 * every `maxSilenceMs / 2` (wait with a timeout, then beat). Only a loop stuck inside one
 * step (a hung inference, a query that never returns) falls silent. So a camera being down
 * never stops the systemd watchdog; a wedged loop does.
 */
import type { Clock } from '../shared/clock.js';
import { systemClock } from '../shared/clock.js';

export interface LoopState {
  name: string;
  /** Epoch ms of the last beat (the registration counts as one). */
  lastBeatAt: number;
  silentMs: number;
  maxSilenceMs: number;
  stalled: boolean;
}

export interface Heartbeats {
  register(name: string, maxSilenceMs: number): void;
  /** Marks the loop as having gone round now. Unknown names are registered with the default bound. */
  beat(name: string): void;
  /** A loop that ended on purpose (shutdown) is no longer watched. */
  unregister(name: string): void;
  snapshot(): LoopState[];
  stalled(): LoopState[];
}

export function createHeartbeats(options: { clock?: Clock; defaultMaxSilenceMs?: number } = {}): Heartbeats {
  const clock = options.clock ?? systemClock;
  const defaultMax = options.defaultMaxSilenceMs ?? 60_000;
  const loops = new Map<string, { lastBeatAt: number; maxSilenceMs: number }>();
  const snapshot = (): LoopState[] => {
    const now = clock.now();
    return [...loops].map(([name, l]) => {
      const silentMs = Math.max(0, now - l.lastBeatAt);
      return { name, lastBeatAt: l.lastBeatAt, silentMs, maxSilenceMs: l.maxSilenceMs, stalled: silentMs > l.maxSilenceMs };
    });
  };
  return {
    register(name, maxSilenceMs) {
      if (!(maxSilenceMs > 0)) throw new RangeError(`heartbeat ${name}: maxSilenceMs must be positive, got ${maxSilenceMs}`);
      loops.set(name, { lastBeatAt: clock.now(), maxSilenceMs });
    },
    beat(name) {
      const loop = loops.get(name);
      if (loop) loop.lastBeatAt = clock.now();
      else loops.set(name, { lastBeatAt: clock.now(), maxSilenceMs: defaultMax });
    },
    unregister(name) {
      loops.delete(name);
    },
    snapshot,
    stalled: () => snapshot().filter((l) => l.stalled),
  };
}
