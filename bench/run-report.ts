// How a bench section reports: `log` prints a line of its section as it goes, `goal` adds a
// row to the summary table printed at the end (met: yes, NO, or - when it cannot be judged).
import { table } from './run-stats.js';

export interface Report {
  log: (s?: string) => void;
  goal: (what: string, measured: string, target: string, met: boolean | null) => void;
}

/** A Report on stdout that keeps the goals for the summary. */
export function consoleReport(): Report & { summary: () => string } {
  const rows: string[][] = [['what', 'measured', 'goal', 'met']];
  return {
    log: (s = '') => console.log(s),
    goal: (what, measured, target, met) => {
      rows.push([what, measured, target, met === null ? '-' : met ? 'yes' : 'NO']);
    },
    summary: () => table(rows),
  };
}
