/** SQLite result codes the queue reacts to (better-sqlite3 puts them in `err.code`). */
export function sqliteCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The file is not a database or its pages are damaged: move it aside and start again. */
export function isCorrupt(err: unknown): boolean {
  const code = sqliteCode(err);
  return code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB' || code?.startsWith('SQLITE_CORRUPT_') === true;
}

/** The disk (or the file's max_page_count) is full. */
export function isFull(err: unknown): boolean {
  const code = sqliteCode(err);
  return code === 'SQLITE_FULL' || code === 'SQLITE_IOERR_WRITE' && /no space/i.test((err as Error).message);
}
