import type { Evidence, EvidenceKind, Violation } from '../shared/types.js';

/** A violation's fields without its evidence images, as stored in the `meta` column. */
export type ViolationMeta = Omit<Violation, 'evidence'>;

export function encodeMeta(v: Violation): string {
  const { evidence: _evidence, ...meta } = v;
  return JSON.stringify(meta);
}

export function decodeMeta(text: string): ViolationMeta {
  return JSON.parse(text) as ViolationMeta;
}

export interface EvidenceRow {
  violation_id: string;
  kind: string;
  jpeg: Buffer;
  sha256: string;
  width: number;
  height: number;
}

export function evidenceFromRow(row: EvidenceRow): Evidence {
  return { kind: row.kind as EvidenceKind, jpeg: row.jpeg, sha256: row.sha256, width: row.width, height: row.height };
}

/** Bytes a record counts against queue.max_bytes: its metadata text plus its JPEGs. */
export function recordBytes(meta: string, evidence: readonly Evidence[]): number {
  return Buffer.byteLength(meta) + evidence.reduce((n, e) => n + e.jpeg.length, 0);
}
