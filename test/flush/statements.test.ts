import { describe, expect, it } from 'vitest';
import { batchStatements, LATER_COLUMNS, mysqlUtc, statementBytesFor, VIOLATION_COLUMNS } from '../../src/flush/statements.js';
import type { LeasedRecord } from '../../src/queue/queue.js';
import { makeViolations } from '../queue/make-violation.js';

const leased = (n: number, evidenceBytes = 100): LeasedRecord[] =>
  makeViolations(n, { evidenceBytes }).map((v, i) => ({ seq: i, id: v.id, attempts: 0, bytes: 0, evidenceDropped: 0, violation: v }));

describe('batch statements', () => {
  it('writes DATETIME(3) literals in UTC with milliseconds', () => {
    expect(mysqlUtc(Date.UTC(2025, 0, 2, 3, 4, 5, 678))).toBe('2025-01-02 03:04:05.678');
    expect(mysqlUtc(0)).toBe('1970-01-01 00:00:00.000');
  });

  it('puts up to maxRows violations in one multi-row INSERT', () => {
    const st = batchStatements(leased(1200, 0), { maxRows: 500, maxBytes: 8e6 });
    expect(st.map((s) => s.rows)).toEqual([500, 500, 200]);
    for (const s of st) {
      expect(s.sql).toMatch(/^INSERT INTO violations \(event_id, violation_type, plate_number/);
      expect(s.sql).toMatch(/ VALUES \?$/);
      expect(s.prepared).toBe(false);
    }
  });

  it('cuts violation statements by bytes too', () => {
    const st = batchStatements(leased(100, 0), { maxRows: 500, maxBytes: 5000 });
    expect(st.length).toBeGreaterThan(5);
    expect(st.reduce((n, s) => n + s.rows, 0)).toBe(100);
    for (const s of st) expect(s.bytes).toBeLessThanOrEqual(5000);
  });

  it('sends evidence as prepared statements of 16, 4 or 1 rows only, within the byte budget', () => {
    const st = batchStatements(leased(13, 1000), { maxRows: 500, maxBytes: 8e6 }).filter((s) => s.prepared);
    expect(st.map((s) => s.rows)).toEqual([16, 16, 4, 1, 1, 1]); // 39 images
    expect(st[0]!.values).toHaveLength(16 * 6);
    expect(new Set(st.map((s) => s.sql)).size).toBe(3);
    const small = batchStatements(leased(3, 100_000), { maxRows: 500, maxBytes: 500_000 }).filter((s) => s.prepared);
    expect(small.map((s) => s.rows)).toEqual([4, 4, 1]);
    for (const s of small) expect(s.bytes).toBeLessThanOrEqual(500_000);
  });

  it('derives the statement budget from max_allowed_packet', () => {
    expect(statementBytesFor(16 * 2 ** 20)).toBe(8 * 2 ** 20);
    expect(statementBytesFor(4 * 2 ** 20)).toBe(2 * 2 ** 20);
    expect(statementBytesFor(64 * 2 ** 20)).toBe(8 * 2 ** 20);
  });
});

describe('columns a not-yet-migrated central schema may lack', () => {
  it('are the violations columns of migrations 2 and 3, all of them sent when present', () => {
    expect(LATER_COLUMNS).toEqual(['evidence_damaged', 'plate_region', 'travel_direction', 'heading_deg']);
    for (const c of LATER_COLUMNS) expect(VIOLATION_COLUMNS as readonly string[]).toContain(c);
  });

  it('are left out of the INSERT, values and all, when the schema lacks them', () => {
    const [st] = batchStatements(leased(1, 0), { maxRows: 10, maxBytes: 1e6, missingColumns: new Set(['plate_region', 'heading_deg']) });
    expect(st!.sql).not.toMatch(/plate_region|heading_deg/);
    expect(st!.sql).toMatch(/travel_direction/);
    expect((st!.values[0] as unknown[][])[0]).toHaveLength(VIOLATION_COLUMNS.length - 2); // one row of the multi-row VALUES ?
  });
});
