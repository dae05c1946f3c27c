// What start-up has opened, to close again in reverse order: when start-up fails half-way, and
// as the last step of shutdown. A close that fails is logged and the next one still runs.
import { describeError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';

export class Closers {
  private readonly closes: Array<() => Promise<void> | void> = [];

  constructor(private readonly log: Logger) {}

  add(close: () => Promise<void> | void): void {
    this.closes.push(close);
  }

  async closeAll(): Promise<void> {
    for (const close of this.closes.reverse()) await Promise.resolve().then(close).catch((err: unknown) => this.log.warn({ err: describeError(err) }, 'close failed'));
  }
}
