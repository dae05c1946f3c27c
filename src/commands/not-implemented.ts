import { EXIT } from '../shared/exit-codes.js';
import type { CommandIo } from './io.js';

/** Verbs that a later version fills in say so plainly instead of pretending to work. */
export function notImplemented(verb: string, io: CommandIo): number {
  io.err(`roadside-agent ${verb}: not implemented in this version yet (RSA_NOT_IMPLEMENTED)`);
  return EXIT.FAILURE;
}
