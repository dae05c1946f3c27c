// A queue file SQLite calls corrupt is renamed aside, never deleted: it is kept for inspection
// and salvage (salvage.ts), and a new file takes its place.
import { existsSync, renameSync, rmSync } from 'node:fs';
import { describeError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';

/** Renames `file` (and its WAL) to `<file>.corrupt-<UTC time>`; returns the new name. */
export function setAside(file: string, now: number, cause: unknown, logger: Logger): string {
  const stamp = new Date(now).toISOString().replace(/[:.]/g, '-');
  const aside = `${file}.corrupt-${stamp}`;
  if (existsSync(file)) renameSync(file, aside);
  if (existsSync(`${file}-wal`)) renameSync(`${file}-wal`, `${aside}-wal`);
  rmSync(`${file}-shm`, { force: true });
  logger.error(
    { code: 'RSA_QUEUE_CORRUPT', err: describeError(cause), file, moved_to: aside },
    `queue file is corrupt; moved aside to ${aside}, started a new one and salvaging what can be read`,
  );
  return aside;
}
