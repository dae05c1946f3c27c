// The central schema, versioned in `schema_migrations`; `db migrate` applies what is missing.
//
// Column names of the original system stay (violation_type, plate_number, camera_location,
// camera_id, detection_confidence) so existing dashboards keep working; the rest is added.
//
// event_id is CHAR(36) ASCII (the UUIDv7 text), not BINARY(16): it reads the same in the
// office's SQL, the agent's logs and `queue list` on the box without a conversion function
// (MySQL's BIN_TO_UUID does not exist in MariaDB 10.x and vice versa for the UUID type), and at
// a few violations per camera per minute the 20 extra bytes per index entry do not matter.
// UUIDv7 text sorts by time, so the unique index still grows at its right edge.
//
// No foreign key from violation_evidence to violations: both are written in one transaction by
// the agent, and sharded MySQL-compatible engines (Vitess, TiDB) do not enforce them anyway.
//
// DDL is not transactional in MySQL: each step is idempotent (IF NOT EXISTS) and the version is
// recorded after it, and a named lock keeps two boxes migrating at once from interleaving.
import type { Session } from './central-db.js';

export interface CentralMigration {
  version: number;
  name: string;
  statements: string[];
  /** Columns added to existing tables (checked in information_schema, so portable to MySQL). */
  addColumns?: ColumnDef[];
}

export interface ColumnDef {
  table: string;
  column: string;
  definition: string;
}

export const CENTRAL_MIGRATIONS: readonly CentralMigration[] = [
  {
    version: 1,
    name: 'violations, violation_evidence, cameras',
    statements: [
      `CREATE TABLE IF NOT EXISTS violations (
        id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
        event_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL COMMENT 'UUIDv7 made on the box; idempotency key',
        violation_type VARCHAR(32) NOT NULL,
        plate_number VARCHAR(20) NULL COMMENT 'normalised plate text; NULL when unreadable',
        plate_confidence FLOAT NULL,
        camera_location VARCHAR(255) NOT NULL,
        camera_id VARCHAR(64) NOT NULL,
        detection_confidence FLOAT NOT NULL,
        occurred_at DATETIME(3) NOT NULL COMMENT 'UTC',
        first_seen_at DATETIME(3) NOT NULL COMMENT 'UTC',
        last_seen_at DATETIME(3) NOT NULL COMMENT 'UTC',
        frame_count INT UNSIGNED NOT NULL,
        track_id INT UNSIGNED NOT NULL,
        models JSON NOT NULL COMMENT 'model identities by role',
        agent_version VARCHAR(32) NOT NULL,
        evidence_count TINYINT UNSIGNED NOT NULL DEFAULT 0,
        evidence_dropped TINYINT UNSIGNED NOT NULL DEFAULT 0 COMMENT 'images shed on the box by its byte bound',
        received_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) COMMENT 'UTC',
        UNIQUE KEY uq_violations_event_id (event_id),
        KEY ix_violations_camera_time (camera_id, occurred_at),
        KEY ix_violations_plate_time (plate_number, occurred_at)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`,
      `CREATE TABLE IF NOT EXISTS violation_evidence (
        event_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
        kind VARCHAR(16) CHARACTER SET ascii NOT NULL COMMENT 'frame, rider or plate',
        jpeg MEDIUMBLOB NOT NULL,
        sha256 CHAR(64) CHARACTER SET ascii NOT NULL,
        width SMALLINT UNSIGNED NOT NULL,
        height SMALLINT UNSIGNED NOT NULL,
        received_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        PRIMARY KEY (event_id, kind)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
      `CREATE TABLE IF NOT EXISTS cameras (
        camera_id VARCHAR(64) NOT NULL PRIMARY KEY,
        camera_location VARCHAR(255) NOT NULL,
        last_seen_at DATETIME(3) NOT NULL COMMENT 'UTC',
        started_at DATETIME(3) NOT NULL COMMENT 'UTC',
        frames BIGINT UNSIGNED NOT NULL DEFAULT 0,
        violations BIGINT UNSIGNED NOT NULL DEFAULT 0,
        queue_depth INT UNSIGNED NOT NULL DEFAULT 0,
        dead_letters INT UNSIGNED NOT NULL DEFAULT 0,
        provider VARCHAR(32) NOT NULL,
        agent_version VARCHAR(32) NOT NULL
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`,
    ],
  },
  {
    version: 2,
    name: 'violations.evidence_damaged',
    statements: [],
    addColumns: [
      {
        table: 'violations',
        column: 'evidence_damaged',
        definition:
          "TINYINT UNSIGNED NOT NULL DEFAULT 0 COMMENT 'images withheld by the box: their bytes no longer matched the sha256 taken when they were made' AFTER evidence_dropped",
      },
    ],
  },
  {
    version: 3,
    name: 'violations.plate_region, travel_direction, heading_deg',
    statements: [],
    addColumns: [
      {
        table: 'violations',
        column: 'plate_region',
        definition: "VARCHAR(64) NULL COMMENT 'plate country/region by the plate reader; NULL when unknown' AFTER plate_confidence",
      },
      {
        table: 'violations',
        column: 'travel_direction',
        definition: "VARCHAR(8) CHARACTER SET ascii NULL COMMENT 'towards, away, across or still (the camera''s view)' AFTER track_id",
      },
      {
        table: 'violations',
        column: 'heading_deg',
        definition: "SMALLINT NULL COMMENT 'heading in the image, degrees: 0 right, 90 down the picture, -90 up' AFTER travel_direction",
      },
    ],
  },
];

export const CENTRAL_SCHEMA_VERSION = CENTRAL_MIGRATIONS.at(-1)!.version;

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

/** Every table and column the agent writes, by table (what `checkCentral` looks for). */
export const EXPECTED_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  violations: [
    'event_id', 'violation_type', 'plate_number', 'plate_confidence', 'camera_location', 'camera_id', 'detection_confidence',
    'occurred_at', 'first_seen_at', 'last_seen_at', 'frame_count', 'track_id', 'models', 'agent_version', 'evidence_count',
    'evidence_dropped', 'evidence_damaged', 'plate_region', 'travel_direction', 'heading_deg',
  ],
  violation_evidence: ['event_id', 'kind', 'jpeg', 'sha256', 'width', 'height'],
  cameras: [
    'camera_id', 'camera_location', 'last_seen_at', 'started_at', 'frames', 'violations', 'queue_depth', 'dead_letters', 'provider',
    'agent_version',
  ],
};

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
