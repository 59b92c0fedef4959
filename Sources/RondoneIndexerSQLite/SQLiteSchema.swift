import GRDB
import RondoneIndexer

/// The SQLite schema as GRDB migrations (see docs/INDEX.md for the why of each
/// column and index). Migrations only ever get appended: a released one is never edited.
enum SQLiteSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: archive policies, rules, metrics") { db in
            // One row; bumped by every change to a policy or a rule, so each process
            // knows with a one-row read whether its in-memory catalog is current.
            try db.execute(
                sql: """
                    CREATE TABLE catalog_version (
                        id INTEGER PRIMARY KEY CHECK (id = 1),
                        generation INTEGER NOT NULL
                    );
                    INSERT INTO catalog_version (id, generation) VALUES (1, 0);

                    CREATE TABLE archive_policy (
                        name TEXT NOT NULL PRIMARY KEY,
                        back_window INTEGER NOT NULL CHECK (back_window >= 0),
                        definition TEXT NOT NULL,
                        aggregation_methods TEXT NOT NULL
                    );

                    CREATE TABLE archive_policy_rule (
                        name TEXT NOT NULL PRIMARY KEY,
                        archive_policy_name TEXT NOT NULL
                            REFERENCES archive_policy (name) ON DELETE RESTRICT,
                        metric_pattern TEXT NOT NULL
                    );
                    CREATE INDEX ix_archive_policy_rule_archive_policy_name
                        ON archive_policy_rule (archive_policy_name);

                    CREATE TABLE metric (
                        id BLOB NOT NULL PRIMARY KEY CHECK (length(id) = 16),
                        archive_policy_name TEXT NOT NULL
                            REFERENCES archive_policy (name) ON DELETE RESTRICT,
                        creator TEXT,
                        resource_id BLOB CHECK (resource_id IS NULL OR length(resource_id) = 16),
                        name TEXT,
                        unit TEXT CHECK (unit IS NULL OR length(unit) <= 31),
                        status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'delete')),
                        needs_raw_data_truncation INTEGER NOT NULL DEFAULT 0,
                        last_measure_timestamp INTEGER NOT NULL,
                        CONSTRAINT uniq_metric0resource_id0name UNIQUE (resource_id, name)
                    ) WITHOUT ROWID;
                    CREATE INDEX ix_metric_status_id ON metric (status, id);
                    CREATE INDEX ix_metric_archive_policy_name ON metric (archive_policy_name);
                    CREATE INDEX ix_metric_creator ON metric (creator);
                    CREATE INDEX ix_metric_needs_raw_data_truncation ON metric (needs_raw_data_truncation)
                        WHERE needs_raw_data_truncation = 1;
                    """)
        }
        migrator.registerMigration("v2: resource types, resources, resource history") { db in
            // Metrics keep their `resource_id` without a foreign key (adding one would
            // rebuild the table): deleting a resource detaches and deletes its metrics in
            // the same transaction instead, as Gnocchi's ON DELETE SET NULL plus its
            // `status = 'delete'` update do.
            try db.execute(
                sql: """
                    CREATE TABLE resource_type (
                        name TEXT NOT NULL PRIMARY KEY,
                        state TEXT NOT NULL,
                        updated_at INTEGER NOT NULL,
                        attributes TEXT NOT NULL DEFAULT '{}'
                    );
                    INSERT INTO resource_type (name, state, updated_at) VALUES ('generic', 'active', 0);

                    CREATE TABLE resource (
                        id BLOB NOT NULL PRIMARY KEY CHECK (length(id) = 16),
                        type TEXT NOT NULL REFERENCES resource_type (name) ON DELETE RESTRICT,
                        creator TEXT,
                        original_resource_id TEXT NOT NULL,
                        user_id TEXT,
                        project_id TEXT,
                        started_at INTEGER NOT NULL,
                        ended_at INTEGER,
                        revision_start INTEGER NOT NULL,
                        CONSTRAINT ck_resource_started_before_ended CHECK (started_at <= ended_at)
                    ) WITHOUT ROWID;
                    CREATE INDEX ix_resource_type_id ON resource (type, id);
                    CREATE INDEX ix_resource_project_id ON resource (project_id);
                    CREATE INDEX ix_resource_creator ON resource (creator);

                    CREATE TABLE resource_history (
                        revision INTEGER PRIMARY KEY AUTOINCREMENT,
                        id BLOB NOT NULL REFERENCES resource (id) ON DELETE CASCADE,
                        type TEXT NOT NULL REFERENCES resource_type (name) ON DELETE RESTRICT,
                        creator TEXT,
                        original_resource_id TEXT NOT NULL,
                        user_id TEXT,
                        project_id TEXT,
                        started_at INTEGER NOT NULL,
                        ended_at INTEGER,
                        revision_start INTEGER NOT NULL,
                        revision_end INTEGER NOT NULL,
                        CONSTRAINT ck_resource_history_started_before_ended CHECK (started_at <= ended_at)
                    );
                    CREATE INDEX ix_resource_history_id_revision ON resource_history (id, revision);
                    """)
        }
        migrator.registerMigration("v3: custom resource types, search indexes") { db in
            try db.execute(sql: v3)
        }
        migrator.registerMigration("v4: partial metric indexes") { db in
            try db.execute(sql: v4)
        }
        return migrator
    }

    /// Custom types keep their attributes in tables of their own (created by
    /// `createResourceType`, named in `resource_type.tablename`). The common fields get
    /// the indexes searches use; `created_by_*` are virtual columns derived from
    /// `creator` (split at the first `:`, NULL without one) so that the policy filter
    /// and `created_by_*` conditions are index lookups rather than `LIKE` scans.
    private static let v3 = """
        ALTER TABLE resource_type ADD COLUMN tablename TEXT;
        CREATE UNIQUE INDEX uniq_resource_type_tablename ON resource_type (tablename);

        ALTER TABLE resource ADD COLUMN created_by_user_id TEXT GENERATED ALWAYS AS
            (CASE WHEN instr(creator, ':') > 0 THEN substr(creator, 1, instr(creator, ':') - 1) END) VIRTUAL;
        ALTER TABLE resource ADD COLUMN created_by_project_id TEXT GENERATED ALWAYS AS
            (CASE WHEN instr(creator, ':') > 0 THEN substr(creator, instr(creator, ':') + 1) END) VIRTUAL;
        CREATE INDEX ix_resource_created_by_user_id ON resource (created_by_user_id);
        CREATE INDEX ix_resource_created_by_project_id ON resource (created_by_project_id);
        CREATE INDEX ix_resource_user_id ON resource (user_id);
        CREATE INDEX ix_resource_started_at ON resource (started_at);
        CREATE INDEX ix_resource_ended_at ON resource (ended_at);
        CREATE INDEX ix_resource_revision_start ON resource (revision_start);

        ALTER TABLE resource_history ADD COLUMN created_by_user_id TEXT GENERATED ALWAYS AS
            (CASE WHEN instr(creator, ':') > 0 THEN substr(creator, 1, instr(creator, ':') - 1) END) VIRTUAL;
        ALTER TABLE resource_history ADD COLUMN created_by_project_id TEXT GENERATED ALWAYS AS
            (CASE WHEN instr(creator, ':') > 0 THEN substr(creator, instr(creator, ':') + 1) END) VIRTUAL;
        CREATE INDEX ix_resource_history_created_by_user_id ON resource_history (created_by_user_id);
        CREATE INDEX ix_resource_history_created_by_project_id ON resource_history (created_by_project_id);
        CREATE INDEX ix_resource_history_project_id ON resource_history (project_id);
        CREATE INDEX ix_resource_history_user_id ON resource_history (user_id);
        CREATE INDEX ix_resource_history_started_at ON resource_history (started_at);
        CREATE INDEX ix_resource_history_ended_at ON resource_history (ended_at);
        CREATE INDEX ix_resource_history_revision_start ON resource_history (revision_start);
        CREATE INDEX ix_resource_history_revision_end ON resource_history (revision_end);
        """

    /// Two `metric` indexes hold only the rows a lookup needs (a third of the index bytes
    /// per metric): `ix_metric_status_id` only the metrics being deleted (active ones are
    /// found by id or by resource), and the unique `(resource_id, name)` only metrics of a
    /// resource (NULLs are distinct in SQLite's UNIQUE, so the rule is the same). A table
    /// constraint cannot be dropped, so the table is rebuilt as SQLite's ALTER TABLE page
    /// describes: same columns, types, checks and foreign key, then the indexes again.
    /// Nothing references `metric`; the migrator runs this with foreign keys off and
    /// checks them (`PRAGMA foreign_key_check`) before committing.
    private static let v4 = """
        CREATE TABLE metric_v4 (
            id BLOB NOT NULL PRIMARY KEY CHECK (length(id) = 16),
            archive_policy_name TEXT NOT NULL
                REFERENCES archive_policy (name) ON DELETE RESTRICT,
            creator TEXT,
            resource_id BLOB CHECK (resource_id IS NULL OR length(resource_id) = 16),
            name TEXT,
            unit TEXT CHECK (unit IS NULL OR length(unit) <= 31),
            status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'delete')),
            needs_raw_data_truncation INTEGER NOT NULL DEFAULT 0,
            last_measure_timestamp INTEGER NOT NULL
        ) WITHOUT ROWID;
        INSERT INTO metric_v4 (id, archive_policy_name, creator, resource_id, name, unit, status,
            needs_raw_data_truncation, last_measure_timestamp)
        SELECT id, archive_policy_name, creator, resource_id, name, unit, status,
            needs_raw_data_truncation, last_measure_timestamp
        FROM metric ORDER BY id;
        DROP TABLE metric;
        ALTER TABLE metric_v4 RENAME TO metric;

        CREATE UNIQUE INDEX uniq_metric0resource_id0name ON metric (resource_id, name)
            WHERE resource_id IS NOT NULL;
        CREATE INDEX ix_metric_status_id ON metric (status, id) WHERE status = 'delete';
        CREATE INDEX ix_metric_archive_policy_name ON metric (archive_policy_name);
        CREATE INDEX ix_metric_creator ON metric (creator);
        CREATE INDEX ix_metric_needs_raw_data_truncation ON metric (needs_raw_data_truncation)
            WHERE needs_raw_data_truncation = 1;
        """
}
