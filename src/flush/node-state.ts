// Is a central node fit to take writes? One cheap question per connection setup.
//
// A Galera node can accept connections and answer `SELECT 1` while it cannot commit: out of the
// primary component (wsrep_ready OFF, "WSREP has not yet prepared node for application use" on
// the first table statement), joining, or a donor whose state transfer may hold a global read
// lock. `SHOW GLOBAL STATUS WHERE …` reads the three status variables in one round trip and
// works on every MySQL-compatible server. A server without Galera counts as ready: MySQL returns
// no rows; MariaDB without a provider loaded returns them all the same (wsrep_ready OFF, cluster
// Disconnected), with an empty wsrep_provider_name, which is what tells the two apart.

import { classify } from './classify.js';

export const NODE_STATE_SQL =
  "SHOW GLOBAL STATUS WHERE Variable_name IN ('wsrep_provider_name', 'wsrep_ready', 'wsrep_local_state_comment', 'wsrep_cluster_status')";

export interface NodeState {
  /** False for a server without Galera (then it is always usable). */
  galera: boolean;
  ready: boolean;
  /** e.g. Synced, Donor/Desynced, Joined, Initialized; '' without Galera. */
  state: string;
  /** Primary or non-Primary; '' without Galera. */
  cluster: string;
}

export function parseNodeState(rows: ReadonlyArray<{ Variable_name?: unknown; Value?: unknown }>): NodeState {
  const v = new Map(rows.map((r) => [String(r.Variable_name).toLowerCase(), String(r.Value)]));
  if (!v.get('wsrep_provider_name')) return { galera: false, ready: true, state: '', cluster: '' };
  return {
    galera: true,
    ready: v.get('wsrep_ready') === 'ON',
    state: v.get('wsrep_local_state_comment') ?? '',
    cluster: v.get('wsrep_cluster_status') ?? '',
  };
}

/** Usable for writes: no Galera, or ready, Synced and in the primary component. */
export function usable(s: NodeState): boolean {
  return !s.galera || (s.ready && s.state === 'Synced' && s.cluster === 'Primary');
}

/** The error a not-ready node gives the caller (classified transient; the pool moves on). */
export function notReadyError(node: string, s: NodeState): Error {
  return Object.assign(
    new Error(`central node ${node} is not ready for writes (wsrep_ready ${s.ready ? 'ON' : 'OFF'}, state ${s.state || '?'}, cluster ${s.cluster || '?'})`),
    { code: 'WSREP_NODE_NOT_READY' },
  );
}

/** Transient errors that say "try again here", not "this node is gone". */
const STAY_ON_NODE = new Set(['ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT', 'ER_LOCK_ABORTED', 'ER_QUERY_INTERRUPTED']);

/** A node-level failure: transient, and not a conflict that a retry on the same node resolves. */
export function nodeFailure(err: unknown): boolean {
  const c = classify(err);
  return c.kind === 'transient' && !STAY_ON_NODE.has(c.code) && !STAY_ON_NODE.has((err as { code?: string }).code ?? '');
}

/** The node's wsrep state; a server that refuses the statement (a proxy, say) counts as no Galera. */
export async function readNodeState(query: <T>(sql: string) => Promise<T>): Promise<NodeState> {
  try {
    return parseNodeState(await query<Array<{ Variable_name: string; Value: string }>>(NODE_STATE_SQL));
  } catch (err) {
    if (classify(err).kind === 'transient') throw err;
    return parseNodeState([]);
  }
}
