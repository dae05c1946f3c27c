// The shutdown order, in one place. Intake first, under operate.shutdown_deadline_s: stop
// capture, let the frame in flight finish, close the open tracks into violations and queue
// them, one last flush with central.drain_deadline_s. Then release: close everything start-up
// opened (detector worker, SQLite, MySQL, health endpoint), even after the deadline.
import type { Shutdown } from '../operate/shutdown.js';
import type { Logger } from '../shared/logger.js';
import type { AgentParts } from './compose.js';
import type { Running } from './running.js';

export function registerShutdownSteps(shutdown: Shutdown, parts: AgentParts, running: Running, log: Logger, release: () => Promise<void>): void {
  const { source, stage, flusher, hold, queue } = parts;
  const { intake, pipeline, store, flushing } = running;
  shutdown.register({
    name: 'stop capture',
    phase: 'intake',
    run: async () => {
      intake.abort(new Error('shutdown'));
      await source.stop();
    },
  });
  shutdown.register({ name: 'finish frame in flight', phase: 'intake', run: async () => void (await pipeline.catch(() => 'stopped')) });
  shutdown.register({ name: 'close open tracks', phase: 'intake', run: async () => store(await stage.flush()) });
  shutdown.register({
    name: 'last flush',
    phase: 'intake',
    run: async () => {
      await flushing;
      const r = await flusher.drain();
      // Acks may have freed room for what the hold still has; what is left now is lost.
      hold.retry();
      const lost = hold.giveUpAll('still held at shutdown (the queue could not store it)');
      const left = queue.stats().pending;
      log.info({ delivered: r.delivered, timed_out: r.timedOut, left_in_queue: left, lost: lost || undefined }, 'last flush done');
    },
  });
  shutdown.register({ name: 'close', phase: 'release', run: release });
}
