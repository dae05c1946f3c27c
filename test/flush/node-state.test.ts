// The readiness check's reading of SHOW GLOBAL STATUS, with rows as real servers return them.
import { describe, expect, it } from 'vitest';
import { notReadyError, parseNodeState, readNodeState, usable } from '../../src/flush/node-state.js';
import { classify } from '../../src/flush/classify.js';

const rows = (o: Record<string, string>) => Object.entries(o).map(([Variable_name, Value]) => ({ Variable_name, Value }));

describe('node state', () => {
  it('a MariaDB without a Galera provider (all wsrep rows present, provider name empty) is usable', () => {
    const s = parseNodeState(rows({ wsrep_provider_name: '', wsrep_ready: 'OFF', wsrep_cluster_status: 'Disconnected' }));
    expect(s).toEqual({ galera: false, ready: true, state: '', cluster: '' });
    expect(usable(s)).toBe(true);
  });

  it('a MySQL without wsrep (no rows) is usable', () => {
    expect(usable(parseNodeState([]))).toBe(true);
  });

  it.each([
    [{ wsrep_ready: 'ON', wsrep_local_state_comment: 'Synced', wsrep_cluster_status: 'Primary' }, true],
    [{ wsrep_ready: 'OFF', wsrep_local_state_comment: 'Initialized', wsrep_cluster_status: 'non-Primary' }, false],
    [{ wsrep_ready: 'ON', wsrep_local_state_comment: 'Donor/Desynced', wsrep_cluster_status: 'Primary' }, false],
    [{ wsrep_ready: 'ON', wsrep_local_state_comment: 'Joined', wsrep_cluster_status: 'Primary' }, false],
  ])('a Galera node %j is usable: %s', (status, ok) => {
    const s = parseNodeState(rows({ wsrep_provider_name: 'Galera', ...status }));
    expect(s.galera).toBe(true);
    expect(usable(s)).toBe(ok);
  });

  it('a node not ready gives a transient error naming the node and its state', () => {
    const e = notReadyError('db2:3306', parseNodeState(rows({ wsrep_provider_name: 'Galera', wsrep_ready: 'OFF', wsrep_local_state_comment: 'Initialized', wsrep_cluster_status: 'non-Primary' })));
    expect(e.message).toBe('central node db2:3306 is not ready for writes (wsrep_ready OFF, state Initialized, cluster non-Primary)');
    expect(classify(e)).toEqual({ kind: 'transient', code: 'WSREP_NODE_NOT_READY' });
  });
});

describe('readNodeState', () => {
  it('takes a server that refuses the status statement (a proxy) for one without Galera', async () => {
    const refused = Object.assign(new Error('VT12001: unsupported: SHOW GLOBAL STATUS'), { code: 'ER_NOT_SUPPORTED_YET', errno: 1235 });
    const query = <T>(): Promise<T> => Promise.reject(refused);
    expect(await readNodeState(query)).toEqual({ galera: false, ready: true, state: '', cluster: '' });
  });

  it('passes a connection error on (the node is away)', async () => {
    const lost = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    const query = <T>(): Promise<T> => Promise.reject(lost);
    await expect(readNodeState(query)).rejects.toBe(lost);
  });
});
