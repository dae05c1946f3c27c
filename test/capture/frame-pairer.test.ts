import { describe, expect, it } from 'vitest';
import { FramePairer } from '../../src/capture/frame-pairer.js';

/** Events in, what came out: `f0` is frame 0's buffer, `p0` picture 0's. */
function run(events: string[], maxWaiting = 3): { out: string[]; dropped: string[]; unpaired: number } {
  const out: string[] = [];
  const dropped: string[] = [];
  const name = new Map<Buffer, string>();
  const pairer = new FramePairer(
    { emit: (f, p) => out.push(`${name.get(f)}+${p ? name.get(p) : '-'}`), drop: (p) => dropped.push(name.get(p)!) },
    maxWaiting,
  );
  for (const e of events) {
    if (e === 'flush') {
      pairer.flush();
      continue;
    }
    const buf = Buffer.alloc(1);
    name.set(buf, e);
    if (e.startsWith('f')) pairer.frame(buf);
    else pairer.picture(buf);
  }
  return { out, dropped, unpaired: pairer.unpaired };
}

describe('FramePairer: frames and plate pictures paired by their index in the run', () => {
  const cases: Array<{ name: string; events: string[]; maxWaiting?: number; out: string[]; dropped?: string[]; unpaired?: number }> = [
    { name: 'ffmpeg order: each frame, then its picture', events: ['f0', 'p0', 'f1', 'p1'], out: ['f0+p0', 'f1+p1'] },
    { name: 'a picture read before its frame waits for it', events: ['p0', 'f0', 'p1', 'f1'], out: ['f0+p0', 'f1+p1'] },
    { name: 'frames read ahead of their pictures keep their order', events: ['f0', 'f1', 'p0', 'f2', 'p1', 'p2'], out: ['f0+p0', 'f1+p1', 'f2+p2'] },
    {
      name: 'a frame behind too many waiting frames goes on alone; its late picture is dropped, never given to the next frame',
      events: ['f0', 'f1', 'f2', 'p0', 'p1', 'p2'],
      maxWaiting: 2,
      out: ['f0+-', 'f1+p1', 'f2+p2'],
      dropped: ['p0'],
      unpaired: 1,
    },
    {
      name: 'at the end of a run, waiting frames go on alone and left-over pictures are dropped',
      events: ['f0', 'p0', 'f1', 'flush'],
      out: ['f0+p0', 'f1+-'],
      unpaired: 1,
    },
    { name: 'a picture with no frame yet, then the run ends', events: ['f0', 'p0', 'p1', 'flush'], out: ['f0+p0'], dropped: ['p1'] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = run(c.events, c.maxWaiting);
      expect(r.out).toEqual(c.out);
      expect(r.dropped).toEqual(c.dropped ?? []);
      expect(r.unpaired).toBe(c.unpaired ?? 0);
    });
  }
});
