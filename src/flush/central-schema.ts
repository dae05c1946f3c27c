// `db migrate`: applies the missing migrations of central-migrations.ts (versioned in
// `schema_migrations`, under a named lock so two boxes do not interleave), then checks every
// table and column the agent writes against information_schema and re-makes what is missing.
import type { Session } from './central-db.js';
import { CENTRAL_MIGRATIONS, CENTRAL_SCHEMA_VERSION, EXPECTED_COLUMNS, type ColumnDef } from './central-migrations.js';

export { CENTRAL_MIGRATIONS, CENTRAL_SCHEMA_VERSION, EXPECTED_COLUMNS, type CentralMigration, type ColumnDef } from './central-migrations.js';

export interface MigrateResult {
  from: number;
  to: number;
  applied: string[];
  /** Tables and columns found missing although their migration was recorded, and re-made. */
  repaired: string[];
}

/** Applies missing migrations; running it again changes nothing. */
export async function migrateCentral(s: Session): Promise<MigrateResult> {
  const [lock] = await s.query<Array<{ l: number | null }>>("SELECT GET_LOCK('roadside_agent_migrate', 30) AS l");
  if (lock?.l !== 1) throw new Error('another `db migrate` holds the migration lock (roadside_agent_migrate) for over 30 s');
  try {
    await s.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INT UNSIGNED NOT NULL PRIMARY KEY,
      name VARCHAR(200) NOT NULL,
      applied_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`);
    const done = await s.query<Array<{ version: number }>>('SELECT version FROM schema_migrations');
    const have = new Set(done.map((r) => Number(r.version)));
    const from = have.size === 0 ? 0 : Math.max(...have);
    const applied: string[] = [];
    for (const m of CENTRAL_MIGRATIONS) {
      if (have.has(m.version)) continue;
      for (const sql of m.statements) await s.query(sql);
      for (const c of m.addColumns ?? []) await addColumnIfMissing(s, c);
      await s.query('INSERT INTO schema_migrations (version, name) VALUES (?, ?)', [m.version, m.name]);
      applied.push(`${m.version}: ${m.name}`);
    }
    const repaired = await repairCentral(s);
    return { from, to: CENTRAL_SCHEMA_VERSION, applied, repaired };
  } finally {
    await s.query("SELECT RELEASE_LOCK('roadside_agent_migrate')");
  }
}

export interface SchemaCheck {
  /** Highest version recorded in schema_migrations; 0 when none (or no such table). */
  version: number;
  missingTables: string[];
  /** `table.column` */
  missingColumns: string[];
}

/** Reads information_schema: what the agent needs and the database lacks. Changes nothing. */
export async function checkCentral(s: Pick<Session, 'query'>): Promise<SchemaCheck> {
  const cols = await s.query<Array<{ t: string; c: string }>>(
    'SELECT TABLE_NAME AS t, COLUMN_NAME AS c FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE()',
  );
  const have = new Map<string, Set<string>>();
  for (const r of cols) (have.get(r.t) ?? have.set(r.t, new Set()).get(r.t)!).add(r.c);
  let version = 0;
  if (have.has('schema_migrations')) {
    const [v] = await s.query<Array<{ v: number | null }>>('SELECT MAX(version) AS v FROM schema_migrations');
    version = Number(v?.v ?? 0);
  }
  const missingTables: string[] = [];
  const missingColumns: string[] = [];
  for (const [table, columns] of Object.entries(EXPECTED_COLUMNS)) {
    const present = have.get(table);
    if (!present) missingTables.push(table);
    else for (const c of columns) if (!present.has(c)) missingColumns.push(`${table}.${c}`);
  }
  return { version, missingTables, missingColumns };
}

/** One line for check-config and the logs; null when the schema has all the agent needs. */
export function describeSchemaCheck(c: SchemaCheck): string | null {
  const parts: string[] = [];
  if (c.version < CENTRAL_SCHEMA_VERSION) parts.push(`schema version ${c.version}, the agent needs ${CENTRAL_SCHEMA_VERSION}`);
  if (c.missingTables.length > 0) parts.push(`missing table(s) ${c.missingTables.join(', ')}`);
  if (c.missingColumns.length > 0) parts.push(`missing column(s) ${c.missingColumns.join(', ')}`);
  return parts.length === 0 ? null : `${parts.join('; ')}: run \`roadside-agent db migrate\``;
}

/** Re-makes tables and columns that are missing although their migrations were recorded. */
async function repairCentral(s: Session): Promise<string[]> {
  const check = await checkCentral(s);
  const repaired: string[] = [];
  if (check.missingTables.length > 0) {
    for (const sql of CENTRAL_MIGRATIONS[0]!.statements) {
      const table = /CREATE TABLE IF NOT EXISTS (\w+)/.exec(sql)?.[1];
      if (table && check.missingTables.includes(table)) {
        await s.query(sql);
        repaired.push(`table ${table}`);
      }
    }
  }
  for (const missing of (await checkCentral(s)).missingColumns) {
    const [table = '', column = ''] = missing.split('.');
    const def = columnDefinition(table, column);
    if (def && (await addColumnIfMissing(s, def))) repaired.push(`column ${missing}`);
    else repaired.push(`column ${missing} still missing (no definition to re-make it from: repair by hand)`);
  }
  return repaired;
}

/** A column's definition: from the migration that added it, else from its table's CREATE line. */
function columnDefinition(table: string, column: string): ColumnDef | null {
  for (const m of CENTRAL_MIGRATIONS) {
    const added = m.addColumns?.find((c) => c.table === table && c.column === column);
    if (added) return added;
    const create = m.statements.find((sql) => sql.includes(`CREATE TABLE IF NOT EXISTS ${table} (`));
    const line = create?.split('\n').find((l) => l.trim().startsWith(`${column} `));
    if (line) return { table, column, definition: line.trim().slice(column.length + 1).replace(/,$/, '') };
  }
  return null;
}

async function addColumnIfMissing(s: Session, c: ColumnDef): Promise<boolean> {
  const [row] = await s.query<Array<{ n: number }>>(
    'SELECT COUNT(*) AS n FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND COLUMN_NAME = ?',
    [c.table, c.column],
  );
  if (Number(row?.n ?? 0) > 0) return false;
  await s.query(`ALTER TABLE ${c.table} ADD COLUMN ${c.column} ${c.definition}`);
  return true;
}
