// Notices a queue file that vanished or shrank while the agent was stopped (deleted, truncated,
// restored from an old copy): on a clean close the agent writes `<file>.stopped` with what the
// file held; the next open compares and logs an ERROR (RSA_QUEUE_SHRANK) when records are
// missing, then removes the mark. Only the agent writes it. After a kill or a power cut there is
// no mark, so nothing is compared (acks since the last clean stop would make any count stale).
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { Logger } from '../shared/logger.js';

export interface StopMark {
  records: number;
  fileBytes: number;
  at: string;
}

const markFile = (file: string): string => `${file}.stopped`;

/**
 * Before open: what the last clean stop left; a file that is gone or empty is reported here
 * (and the mark then returned as null: nothing more to compare).
 */
export function readStopMark(file: string, logger: Logger): StopMark | null {
  let mark: StopMark | null = null;
  try {
    mark = JSON.parse(readFileSync(markFile(file), 'utf8')) as StopMark;
  } catch {
    mark = null;
  }
  const size = existsSync(file) ? statSync(file).size : null;
  if (mark && mark.records > 0 && size === null) {
    logger.error(
      { code: 'RSA_QUEUE_SHRANK', file, records_at_stop: mark.records, stopped_at: mark.at },
      `queue file vanished while the agent was stopped: it held ${mark.records} record(s) at ${mark.at}; starting a new one`,
    );
    return null;
  }
  if (size === 0) {
    logger.error(
      { code: 'RSA_QUEUE_SHRANK', file, records_at_stop: mark?.records ?? null, stopped_at: mark?.at ?? null },
      `queue file is empty (0 bytes)${mark ? `; it held ${mark.records} record(s) at ${mark.at}` : ''}: starting it anew`,
    );
    return null;
  }
  return mark;
}

/** After open: compares with the mark, then removes it. */
export function checkStopMark(file: string, mark: StopMark | null, records: number, logger: Logger): void {
  rmSync(markFile(file), { force: true });
  if (!mark || records >= mark.records) return;
  logger.error(
    { code: 'RSA_QUEUE_SHRANK', file, records_at_stop: mark.records, records_now: records, stopped_at: mark.at },
    `queue file holds ${records} record(s) but held ${mark.records} when the agent stopped at ${mark.at}: ${mark.records - records} went missing while it was stopped`,
  );
}

/** On a clean close. */
export function writeStopMark(file: string, records: number, fileBytes: number, now: number): void {
  try {
    writeFileSync(markFile(file), JSON.stringify({ records, fileBytes, at: new Date(now).toISOString() }) + '\n');
  } catch {
    // a full disk: the next start simply has nothing to compare with
  }
}
