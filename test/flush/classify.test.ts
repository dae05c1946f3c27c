import { describe, expect, it } from 'vitest';
import { classify } from '../../src/flush/classify.js';

const err = (code: string | undefined, errno?: number, message = 'x') => Object.assign(new Error(message), { code, errno });

describe('classify: one table decides retry, dead letter or hold', () => {
  it.each([
    ['ECONNREFUSED'],
    ['ECONNRESET'],
    ['ETIMEDOUT'],
    ['EHOSTUNREACH'],
    ['PROTOCOL_CONNECTION_LOST'],
    ['PROTOCOL_SEQUENCE_TIMEOUT'],
    ['ER_CON_COUNT_ERROR'],
    ['ER_LOCK_DEADLOCK'],
    ['ER_LOCK_WAIT_TIMEOUT'],
    ['ER_OPTION_PREVENTS_STATEMENT'],
    ['ER_SERVER_SHUTDOWN'],
    ['ER_CONNECTION_KILLED'],
    ['ER_CLIENT_INTERACTION_TIMEOUT'],
  ])('%s is transient', (code) => {
    expect(classify(err(code))).toEqual({ kind: 'transient', code });
  });

  it.each([
    ['ER_DATA_TOO_LONG'],
    ['ER_TRUNCATED_WRONG_VALUE'],
    ['ER_TRUNCATED_WRONG_VALUE_FOR_FIELD'],
    ['ER_WARN_DATA_OUT_OF_RANGE'],
    ['WARN_DATA_TRUNCATED'],
    ['ER_BAD_NULL_ERROR'],
    ['ER_CONSTRAINT_FAILED'],
    ['ER_NET_PACKET_TOO_LARGE'],
  ])('%s is permanent', (code) => {
    expect(classify(err(code))).toEqual({ kind: 'permanent', code });
  });

  it.each([
    ['ER_NO_SUCH_TABLE', 'a missing table is the server setup, not the record'],
    ['ER_BAD_FIELD_ERROR', 'a missing column likewise'],
    ['ER_ACCESS_DENIED_ERROR', 'a refused login is the grants'],
    ['ER_TABLEACCESS_DENIED_ERROR', 'a missing grant'],
    ['ER_PARSE_ERROR', 'our own SQL bug must not dead-letter data'],
  ])('%s is unknown (records stay queued): %s', (code) => {
    expect(classify(err(code)).kind).toBe('unknown');
  });

  it('falls back to the server errno when the code is not named', () => {
    expect(classify(err(undefined, 1213))).toEqual({ kind: 'transient', code: '1213' });
    expect(classify(err(undefined, 1406))).toEqual({ kind: 'permanent', code: '1406' });
    expect(classify(err(undefined, 2013))).toEqual({ kind: 'transient', code: '2013' });
  });

  it('treats a closed connection without a code as transient and anything else as unknown', () => {
    expect(classify(new Error("Can't add new command when connection is in closed state")).kind).toBe('transient');
    expect(classify(new TypeError('cannot read properties of undefined')).kind).toBe('unknown');
    expect(classify('a string').kind).toBe('unknown');
    expect(classify(undefined).kind).toBe('unknown');
  });
});
