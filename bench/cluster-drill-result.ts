// What one run of the cluster drill found, and the verdict on it: every figure that is wrong
// (anything lost, anything twice, a node that disagrees, anything left behind) named.

export interface DrillResult {
  label: string;
  agents: number;
  nodeKills: number;
  produced: number;
  central: number;
  distinct: number;
  duplicates: number;
  lost: number;
  /** Rows by node (each node counted on its own after the drain). */
  perNode: Record<string, number>;
  left: number;
  deadLetters: number;
  seconds: number;
  throughput: number;
  batches: number;
  p95BatchMs: number;
  failedAttempts: number;
  failovers: number;
  /** Kill → next committed batch of each agent that was on the killed node: [median, max] ms. */
  failoverMs: [number, number] | null;
  /** Failed attempts by the classifier's code. */
  errors: Record<string, number>;
  /** Moves to another node by the code of the error that caused them. */
  moves: Record<string, number>;
  rejoinMs: number | null;
}

/** Every figure right: nothing lost, nothing twice, every node agrees, nothing left behind. */
export function drillProblems(r: DrillResult): string[] {
  const p: string[] = [];
  if (r.central !== r.produced) p.push(`central ${r.central} ≠ produced ${r.produced}`);
  if (r.distinct !== r.produced) p.push(`distinct ${r.distinct} ≠ produced ${r.produced}`);
  if (r.duplicates !== 0) p.push(`${r.duplicates} duplicates`);
  if (r.lost !== 0) p.push(`${r.lost} lost`);
  if (r.left !== 0) p.push(`${r.left} still queued`);
  if (r.deadLetters !== 0) p.push(`${r.deadLetters} in the dead letters`);
  for (const [node, n] of Object.entries(r.perNode)) if (n !== r.produced) p.push(`node ${node} holds ${n} rows, not ${r.produced}`);
  return p;
}
