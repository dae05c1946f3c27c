// The errors a real 3-node MariaDB 10.11 Galera cluster (galera-4) gave mysql2, as recorded
// (code, errno, sqlState, message), and what the agent does with each: all transient (the
// batch is retried); conflicts stay on the node, node failures move the pool to the next host.
// test/integration/galera-cluster.test.ts reproduces the certification failure and the 1047 of a
// node cut off from the primary component (gmcast.isolate) live, on a real cluster.
import { describe, expect, it } from 'vitest';
import { nodeFailure } from '../../src/flush/node-state.js';
import { classify } from '../../src/flush/classify.js';

interface Seen {
  situation: string;
  code: string;
  errno: number;
  sqlState?: string;
  message: string;
  moves: boolean;
}

const DEADLOCK = 'Deadlock found when trying to get lock; try restarting transaction';

const GALERA_ERRORS: Seen[] = [
  { situation: 'certification failure: the same row updated through two nodes, COMMIT on the second', code: 'ER_LOCK_DEADLOCK', errno: 1213, sqlState: '40001', message: DEADLOCK, moves: false },
  { situation: 'certification failure: the same key inserted through two nodes, COMMIT on the second', code: 'ER_LOCK_DEADLOCK', errno: 1213, sqlState: '40001', message: DEADLOCK, moves: false },
  { situation: 'brute-force abort: a local transaction hit by a replicated write set, next statement', code: 'ER_LOCK_DEADLOCK', errno: 1213, sqlState: '40001', message: DEADLOCK, moves: false },
  { situation: 'node out of the primary component (wsrep_ready OFF), INSERT', code: 'ER_UNKNOWN_COM_ERROR', errno: 1047, sqlState: '08S01', message: 'WSREP has not yet prepared node for application use', moves: true },
  { situation: 'node SIGKILLed during a transaction, COMMIT', code: 'ECONNRESET', errno: -104, message: 'read ECONNRESET', moves: true },
  { situation: 'connecting to the killed node', code: 'ECONNREFUSED', errno: -111, message: 'connect ECONNREFUSED 127.0.0.1:26020', moves: true },
  { situation: 'the readiness check at connection setup (central-db.ts) on a Donor/Desynced or non-Primary node', code: 'WSREP_NODE_NOT_READY', errno: 0, message: 'central node 127.0.0.1:26000 is not ready for writes (wsrep_ready ON, state Donor/Desynced, cluster Primary)', moves: true },
];

const asError = (s: Seen): Error => Object.assign(new Error(s.message), { code: s.code, errno: s.errno || undefined, sqlState: s.sqlState });

describe('classify: the Galera errors seen on a real cluster', () => {
  it.each(GALERA_ERRORS.map((s) => [s.situation, s] as const))('%s: transient', (_situation, s) => {
    expect(classify(asError(s))).toEqual({ kind: 'transient', code: s.code });
  });

  it.each(GALERA_ERRORS.map((s) => [s.situation, s] as const))('%s: moves to the next host only for a node failure', (_situation, s) => {
    expect(nodeFailure(asError(s))).toBe(s.moves);
  });

  it('also by errno alone, where a driver names no code', () => {
    expect(classify(Object.assign(new Error('x'), { errno: 1213 })).kind).toBe('transient');
    expect(classify(Object.assign(new Error('x'), { errno: 1047 })).kind).toBe('transient');
  });
});
