import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { StallWatchdog } from '../../src/capture/stall-watchdog.js';
import { terminateFfmpeg } from '../../src/capture/terminate.js';
import type { FfmpegExit, FfmpegProcess } from '../../src/capture/ffmpeg-process.js';
import { silentLogger } from '../../src/shared/logger.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const clock = { now: () => Date.now() };

describe('StallWatchdog', () => {
  it.each([
    { what: 'no frame for the timeout: stalled once', frames: [], waiting: false, stalls: 1 },
    { what: 'a frame every second keeps it quiet', frames: [1000, 2000, 3000, 4000, 5000, 6000], waiting: false, stalls: 0 },
    { what: 'frames stop after 2 s: stalled once, 3 s later', frames: [1000, 2000], waiting: false, stalls: 1 },
    { what: 'a consumer holding ffmpeg back is waiting, not a stall', frames: [], waiting: true, stalls: 0 },
  ])('$what', ({ frames, waiting, stalls }) => {
    let n = 0;
    const w = new StallWatchdog(clock, 3000, () => waiting, () => n++);
    for (let t = 0; t < 7000; t += 100) {
      if ((frames).includes(t)) w.activity();
      vi.advanceTimersByTime(100);
    }
    w.stop();
    expect(n).toBe(stalls);
    expect(w.stalled).toBe(stalls > 0);
  });
});

describe('terminateFfmpeg', () => {
  function fakeProc(obeys: boolean): FfmpegProcess & { signals: string[] } {
    let exit!: (e: FfmpegExit) => void;
    const exited = new Promise<FfmpegExit>((r) => (exit = r));
    const signals: string[] = [];
    return {
      signals,
      exited,
      pid: () => 42,
      kill: (sig: NodeJS.Signals) => {
        signals.push(sig);
        if (obeys || sig === 'SIGKILL') exit({ code: null, signal: sig });
      },
    };
  }

  it('sends SIGTERM once however often asked, and no SIGKILL to a process that exits', async () => {
    const p = fakeProc(true);
    let before = 0;
    terminateFfmpeg(p, 'stop', 1000, silentLogger(), () => before++);
    terminateFfmpeg(p, 'stall', 1000, silentLogger(), () => before++);
    await vi.advanceTimersByTimeAsync(2000);
    expect(p.signals).toEqual(['SIGTERM']);
    expect(before).toBe(1);
  });

  it('sends SIGKILL after the grace to a process that ignores SIGTERM', async () => {
    const p = fakeProc(false);
    terminateFfmpeg(p, 'stop', 1000, silentLogger());
    await vi.advanceTimersByTimeAsync(999);
    expect(p.signals).toEqual(['SIGTERM']);
    await vi.advanceTimersByTimeAsync(2);
    expect(p.signals).toEqual(['SIGTERM', 'SIGKILL']);
  });
});
