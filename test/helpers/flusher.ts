// A Flusher of a test camera delivering one queue to a test database.
import { Flusher } from '../../src/flush/flusher.js';
import type { Queue } from '../../src/queue/queue.js';
import type { Logger } from '../../src/shared/logger.js';
import { centralConfigFor, type Endpoint } from './mariadb.js';

export interface TestFlusherOptions {
  db: { endpoint: Endpoint; name: string };
  queue: Queue;
  logger: Logger;
  /** central config overrides (batch_size, retry, …). */
  central?: Record<string, unknown>;
  stats?: () => { frames: number; violations: number; provider: string };
}

export function testFlusher(o: TestFlusherOptions): Flusher {
  return new Flusher({
    central: centralConfigFor(o.db, o.central),
    password: undefined,
    queue: o.queue,
    logger: o.logger,
    cameraId: 'cam-test',
    cameraLocation: 'Test junction',
    agentVersion: '0.1.0-test',
    stats: o.stats ?? (() => ({ frames: 0, violations: 0, provider: 'cpu' })),
  });
}
