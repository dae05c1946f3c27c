import type { Command } from 'commander';
import type { CommandIo } from './io.js';

/** What every verb's registration gets: where to write, and how to report its exit code. */
export interface CliContext {
  io: CommandIo;
  exit(code: number): void;
}

/** Each verb lives in its own file and adds itself to the program. */
export type RegisterVerb = (program: Command, ctx: CliContext) => void;
