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
    // One ALTER for the three columns: MySQL and MariaDB apply a single ALTER TABLE whole or
    // not at all (MySQL 8 has no ADD COLUMN IF NOT EXISTS, so this step cannot be made
    // idempotent the way CREATE TABLE IF NOT EXISTS is).
    version: 3,
    name: 'violations.plate_region, travel_direction, heading_deg',
    statements: [
      `ALTER TABLE violations
        ADD COLUMN plate_region VARCHAR(64) NULL COMMENT 'plate country/region by the plate reader; NULL when unknown' AFTER plate_confidence,
        ADD COLUMN travel_direction VARCHAR(8) CHARACTER SET ascii NULL COMMENT 'towards, away, across or still (the camera''s view)' AFTER track_id,
        ADD COLUMN heading_deg SMALLINT NULL COMMENT 'heading in the image, degrees: 0 right, 90 down the picture, -90 up' AFTER travel_direction`,
    ],
  },
];

export const CENTRAL_SCHEMA_VERSION = CENTRAL_MIGRATIONS.at(-1)!.version;

export interface MigrateResult {
  from: number;
  to: number;
  applied: string[];
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
      await s.query('INSERT INTO schema_migrations (version, name) VALUES (?, ?)', [m.version, m.name]);
      applied.push(`${m.version}: ${m.name}`);
    }
    return { from, to: CENTRAL_SCHEMA_VERSION, applied };
  } finally {
    await s.query("SELECT RELEASE_LOCK('roadside_agent_migrate')");
  }
}
