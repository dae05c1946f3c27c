// The cluster drill's verdict (bench/cluster-drill-result.ts, re-exported by cluster-drill-run.ts): every wrong figure is named, so
// `npm run drill:cluster` exits non-zero on it.
import { describe, expect, it } from 'vitest';
import { drillProblems, type DrillResult } from '../../bench/cluster-drill-run.js';

const right: DrillResult = {
  label: 'Galera 3 nodes',
  agents: 50,
  nodeKills: 1,
  produced: 100,
  central: 100,
  distinct: 100,
  duplicates: 0,
  lost: 0,
  perNode: { 'n1:1': 100, 'n2:2': 100 },
  left: 0,
  deadLetters: 0,
  seconds: 1,
  throughput: 100,
  batches: 10,
  p95BatchMs: 5,
  failedAttempts: 0,
  failovers: 0,
  failoverMs: null,
  errors: {},
  moves: {},
  rejoinMs: null,
};

describe('drillProblems', () => {
  it('finds nothing wrong in exact figures', () => {
    expect(drillProblems(right)).toEqual([]);
  });

  it.each<[string, Partial<DrillResult>, RegExp]>([
    ['a duplicate', { central: 101, duplicates: 1, perNode: { 'n1:1': 101, 'n2:2': 101 } }, /central 101 ≠ produced 100.*1 duplicates/],
    ['a lost record', { central: 99, distinct: 99, lost: 1, perNode: { 'n1:1': 99, 'n2:2': 99 } }, /distinct 99 ≠ produced 100.*1 lost/],
    ['a node that disagrees', { perNode: { 'n1:1': 100, 'n2:2': 98 } }, /node n2:2 holds 98 rows, not 100/],
    ['records left on a box', { left: 3 }, /3 still queued/],
    ['dead letters', { deadLetters: 2 }, /2 in the dead letters/],
  ])('names %s', (_what, change, message) => {
    expect(drillProblems({ ...right, ...change }).join('; ')).toMatch(message);
  });
});
