// The evaluation's printed table: rows of four cells, and notes under it.
export class Table {
  private readonly rows: string[][] = [];
  readonly notes: string[] = [];

  row(...cells: Array<string | number>): void {
    this.rows.push(cells.map(String));
  }

  note(text: string): void {
    if (!this.notes.includes(text)) this.notes.push(text);
  }

  print(): void {
    const widths = [0, 1, 2, 3].map((c) => Math.max(...this.rows.map((r) => (r[c] ?? '').length), 0));
    const line = (r: string[]): string => r.map((c, i) => c.padEnd(widths[i]!)).join(' | ').trimEnd();
    console.log(line(['set', 'stage / method', 'result', 'rate']));
    console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
    for (const r of this.rows) console.log(line(r));
    for (const n of this.notes) console.log(`note: ${n}`);
  }
}

export const pct = (a: number, b: number): string => (b > 0 ? `${((100 * a) / b).toFixed(1)}%` : '-');

export interface Counts {
  tp: number;
  fp: number;
  fn: number;
}

export const precision = (c: Counts): number | null => (c.tp + c.fp > 0 ? c.tp / (c.tp + c.fp) : null);
export const recall = (c: Counts): number | null => (c.tp + c.fn > 0 ? c.tp / (c.tp + c.fn) : null);
export const fmt = (v: number | null): string => (v === null ? '-' : v.toFixed(3));
