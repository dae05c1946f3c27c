// The drill's backlog: one SQLite queue file per agent, filled once with `backlog` violations
// of that agent's camera id and copied for each run (filling 10,000 records takes a while).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from '../src/queue/queue.js';
import { silentLogger } from '../src/shared/logger.js';
import { makeViolation } from '../test/queue/make-violation.js';
import type { DrillOptions } from './cluster-drill-options.js';

/** Queue files filled once and copied for each run: `<agentId(i)>.sqlite` in `dir`. */
export interface Seed {
  dir: string;
  ids: Set<string>;
  agents: number;
}

export function seedQueues(o: Pick<DrillOptions, 'agents' | 'backlog' | 'evidenceBytes'>): Seed {
  const dir = mkdtempSync(join(tmpdir(), 'rsa-drill-seed-'));
  const ids = new Set<string>();
  for (let i = 0; i < o.agents; i++) {
    const id = agentId(i);
    const queue = Queue.open({ file: join(dir, `${id}.sqlite`), maxBytes: 4e9, logger: silentLogger(), reserveBytes: 0 });
    for (let k = 0; k < o.backlog; k++) {
      const v = makeViolation({ cameraId: id, evidenceBytes: o.evidenceBytes, occurredAt: Date.now() - (o.backlog - k) * 1000 });
      queue.enqueue(v);
      ids.add(v.id);
    }
    queue.close();
  }
  return { dir, ids, agents: o.agents };
}

/** Agent i's camera id, which also names its queue file. */
export const agentId = (i: number): string => `drill-${String(i).padStart(3, '0')}`;
