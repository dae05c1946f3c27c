// The one place that decides what a delivery error means (Vector's sink model):
//   transient  the server or the network is away: retry the same batch forever, with backoff
//   permanent  the server refused this data: isolate the offending record into dead letters
//   unknown    anything else: keep the records queued, defer them, log ERROR (operator look)
//
// Errors that name a missing table or column or a refused login are deliberately NOT
// permanent: they are about the server's setup, not the record, and would otherwise send
// every record to the dead letters. They stay queued (unknown) until `db migrate` or the
// grants are fixed.

export type ErrorKind = 'transient' | 'permanent' | 'unknown';

export interface Classification {
  kind: ErrorKind;
  /** The code that decided it (mysql2 `code`, Node `code`, or `errno`), for logs and dead letters. */
  code: string;
}

/** Network and connection failures (Node and mysql2 protocol codes). */
const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'PROTOCOL_PACKETS_OUT_OF_ORDER',
  'ERR_SOCKET_CLOSED',
  'ERR_STREAM_DESTROYED',
  'HANDSHAKE_NO_SSL_SUPPORT',
  // server-side conditions that pass
  'ER_CON_COUNT_ERROR', // 1040 too many connections
  'ER_TOO_MANY_USER_CONNECTIONS', // 1203
  'ER_LOCK_DEADLOCK', // 1213
  'ER_LOCK_WAIT_TIMEOUT', // 1205
  'ER_OPTION_PREVENTS_STATEMENT', // 1290 --read-only during a failover
  'ER_READ_ONLY_MODE', // 1836
  'ER_SERVER_SHUTDOWN', // 1053
  'ER_NORMAL_SHUTDOWN', // 1077
  'ER_SHUTDOWN_COMPLETE', // 1079
  'ER_CONNECTION_KILLED', // 1927 (MariaDB)
  'ER_QUERY_INTERRUPTED', // 1317
  'ER_CLIENT_INTERACTION_TIMEOUT', // 4031 (MySQL 8 idle disconnect)
  'ER_NET_READ_ERROR', // 1158
  'ER_NET_READ_INTERRUPTED', // 1159
  'ER_NET_ERROR_ON_WRITE', // 1160
  'ER_NET_WRITE_INTERRUPTED', // 1161
  'ER_OUT_OF_RESOURCES', // 1041
  'ER_OUTOFMEMORY', // 1037
  'ER_DISK_FULL', // 1021 server disk full: wait for the DBA
  'ER_RECORD_FILE_FULL', // 1114 table full
  // Galera (seen on a real 3-node cluster, test/flush/classify-galera.test.ts): a certification
  // failure or a brute-force abort by a replicated write set is ER_LOCK_DEADLOCK (above); a node
  // out of the primary component answers ER_UNKNOWN_COM_ERROR to every table statement.
  'ER_UNKNOWN_COM_ERROR', // 1047 WSREP has not yet prepared node for application use
  'WSREP_NODE_NOT_READY', // central-db.ts: the node's wsrep status says it cannot take writes
  'ER_LOCK_ABORTED', // 1689
  'ER_CANT_LOCK', // 1015
]);

/** The server refused the values of a row: only that record is wrong. */
const PERMANENT_CODES = new Set([
  'ER_DATA_TOO_LONG', // 1406
  'ER_TRUNCATED_WRONG_VALUE', // 1292
  'ER_TRUNCATED_WRONG_VALUE_FOR_FIELD', // 1366 bad value for the column's type or charset
  'ER_WARN_DATA_OUT_OF_RANGE', // 1264
  'WARN_DATA_TRUNCATED', // 1265 e.g. a value not in an ENUM
  'ER_BAD_NULL_ERROR', // 1048
  'ER_NO_DEFAULT_FOR_FIELD', // 1364
  'ER_DUP_ENTRY', // 1062 a duplicate on a key other than the event id (which is upserted)
  'ER_INVALID_JSON_TEXT', // 3140 (MySQL)
  'ER_INVALID_JSON_TEXT_IN_PARAM', // 3141
  'ER_CONSTRAINT_FAILED', // 4025 (MariaDB CHECK, e.g. JSON_VALID)
  'ER_CHECK_CONSTRAINT_VIOLATED', // 3819 (MySQL)
  'ER_INVALID_CHARACTER_STRING', // 1300
  'ER_DIVISION_BY_ZERO', // 1365
  'ER_NET_PACKET_TOO_LARGE', // 1153 one record larger than max_allowed_packet
  'ER_WRONG_VALUE_FOR_TYPE', // 1411
  'ER_DATETIME_FUNCTION_OVERFLOW', // 1441
]);

/** The same sets by server errno, for errors whose `code` a driver did not name. */
const TRANSIENT_ERRNOS = new Set([1040, 1203, 1213, 1205, 1290, 1836, 1053, 1077, 1079, 1927, 1317, 4031, 1158, 1159, 1160, 1161, 1041, 1037, 1021, 1114, 1047, 1689, 1015, 2002, 2003, 2006, 2013, 2055]);
const PERMANENT_ERRNOS = new Set([1406, 1292, 1366, 1264, 1265, 1048, 1364, 1062, 3140, 3141, 4025, 3819, 1300, 1365, 1153, 1411, 1441]);

export function classify(err: unknown): Classification {
  const e = err as { code?: unknown; errno?: unknown } | null | undefined;
  const code = typeof e?.code === 'string' ? e.code : undefined;
  const errno = typeof e?.errno === 'number' ? e.errno : undefined;
  const name = code ?? (errno !== undefined ? String(errno) : err instanceof Error ? err.name : 'unknown');
  if (code && TRANSIENT_CODES.has(code)) return { kind: 'transient', code };
  if (code && PERMANENT_CODES.has(code)) return { kind: 'permanent', code };
  if (errno !== undefined && TRANSIENT_ERRNOS.has(errno)) return { kind: 'transient', code: name };
  if (errno !== undefined && PERMANENT_ERRNOS.has(errno)) return { kind: 'permanent', code: name };
  // A connection that died without a code (socket closed mid-packet) is still transient.
  if (err instanceof Error && /connection.*(closed|lost|ended)|socket hang up|Can't add new command when connection is in closed state/i.test(err.message))
    return { kind: 'transient', code: name };
  return { kind: 'unknown', code: name };
}
