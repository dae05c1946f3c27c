// The central schema's migrations, in order, and the tables and columns the agent writes;
// `db migrate` (central-schema.ts) applies and checks them.
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
