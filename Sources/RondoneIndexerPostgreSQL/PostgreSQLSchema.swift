import PostgresNIO

/// The PostgreSQL schema as numbered migrations (docs/INDEX.md says why each column
/// and index is as it is). Migrations are only ever appended: a released one is never
/// edited. ``upgrade(_:)`` applies the missing ones in one transaction, under an
/// advisory lock, so processes upgrading at once apply each exactly once.
///
/// Conventions: text is `COLLATE "C"` (byte-wise, as Gnocchi's reference deployment and
/// the SQLite driver compare it); times are `bigint` nanoseconds since the epoch (UTC),
/// as the SQLite driver stores them, since `timestamptz` keeps only microseconds; ids
/// are `uuid`.
enum PostgreSQLSchema {
    /// `pg_advisory_xact_lock` key of schema upgrades ("rondone" in ASCII).
    static let upgradeLock: Int64 = 0x726f_6e64_6f6e_65

    static let migrations: [(version: Int, description: String, sql: String)] = [
        (1, "archive policies, rules, metrics, resource types, resources, history", v1)
    ]

    /// Creates the version table if needed and applies every missing migration, in
    /// the caller's transaction. Returns the version the schema is at. The table is
    /// named for the index: the incoming store and the coordinator may share the database.
    @discardableResult
    static func upgrade(_ session: PostgreSQLSession) async throws -> Int {
        try await session.execute("SELECT pg_advisory_xact_lock(\(upgradeLock))")
        try await session.execute(
            """
            CREATE TABLE IF NOT EXISTS indexer_schema_version (
                version integer NOT NULL PRIMARY KEY,
                description text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """)
        let rows = try await session.rows(
            "SELECT coalesce(max(version), 0) AS version FROM indexer_schema_version")
        var current = try rows.first?.get("version", as: Int.self) ?? 0
        for migration in migrations where migration.version > current {
            // One statement at a time: the extended protocol takes no lists. No
            // statement of a migration contains a semicolon of its own.
            for statement in migration.sql.split(separator: ";")
            where statement.contains(where: { !$0.isWhitespace }) {
                try await session.execute(PostgresQuery(unsafeSQL: String(statement)))
            }
            try await session.execute(
                """
                INSERT INTO indexer_schema_version (version, description)
                VALUES (\(migration.version), \(migration.description))
                """
            )
            current = migration.version
        }
        return current
    }

    /// Everything the SQLite driver's v1–v4 hold, in PostgreSQL's terms.
    ///
    /// * `catalog_version`: one row, bumped by every change to a policy or a rule.
    /// * `archive_policy_item`: a policy's definition, one row per granularity in the
    ///   caller's order (durations in nanoseconds, nothing lost to floating point).
    /// * `metric.resource_id` references `resource` (`ON DELETE SET NULL`, Gnocchi's), so
    ///   a metric can never be attached to a resource deleted concurrently; the unique
    ///   `(resource_id, name)` only covers attached metrics.
    /// * `created_by_*` are stored generated columns (the parts of `creator` around its
    ///   first `:`), indexed so the policy filter and `created_by_*` conditions are
    ///   index lookups.
    /// * custom types keep their attributes in tables of their own (`rt_<hex>` and
    ///   `rt_<hex>_history`), made by `createResourceType`; `resource_type_attribute`
    ///   holds each type's schema, with the column each attribute lives in.
    static let v1 = """
        CREATE TABLE catalog_version (
            id integer NOT NULL PRIMARY KEY CHECK (id = 1),
            generation bigint NOT NULL
        );
        INSERT INTO catalog_version (id, generation) VALUES (1, 0);

        CREATE TABLE archive_policy (
            name text COLLATE "C" NOT NULL PRIMARY KEY,
            position bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
            back_window bigint NOT NULL CHECK (back_window >= 0),
            aggregation_methods text[] NOT NULL
        );
        CREATE TABLE archive_policy_item (
            archive_policy_name text COLLATE "C" NOT NULL
                REFERENCES archive_policy (name) ON DELETE CASCADE,
            position integer NOT NULL,
            granularity bigint NOT NULL CHECK (granularity > 0),
            points bigint,
            timespan bigint,
            PRIMARY KEY (archive_policy_name, position)
        );

        CREATE TABLE archive_policy_rule (
            name text COLLATE "C" NOT NULL PRIMARY KEY,
            archive_policy_name text COLLATE "C" NOT NULL
                REFERENCES archive_policy (name) ON DELETE RESTRICT,
            metric_pattern text COLLATE "C" NOT NULL
        );
        CREATE INDEX ix_archive_policy_rule_archive_policy_name ON archive_policy_rule (archive_policy_name);

        CREATE TABLE resource_type (
            name text COLLATE "C" NOT NULL PRIMARY KEY,
            state text COLLATE "C" NOT NULL,
            updated_at bigint NOT NULL,
            tablename text COLLATE "C" UNIQUE
        );
        INSERT INTO resource_type (name, state, updated_at) VALUES ('generic', 'active', 0);
        CREATE TABLE resource_type_attribute (
            resource_type_name text COLLATE "C" NOT NULL REFERENCES resource_type (name) ON DELETE CASCADE,
            position integer NOT NULL,
            name text COLLATE "C" NOT NULL,
            column_name text COLLATE "C" NOT NULL,
            type text COLLATE "C" NOT NULL,
            required boolean NOT NULL,
            min_length integer,
            max_length integer,
            min double precision,
            max double precision,
            PRIMARY KEY (resource_type_name, position),
            UNIQUE (resource_type_name, name),
            UNIQUE (resource_type_name, column_name)
        );

        CREATE TABLE resource (
            id uuid NOT NULL PRIMARY KEY,
            type text COLLATE "C" NOT NULL
                CONSTRAINT fk_resource_type REFERENCES resource_type (name) ON DELETE RESTRICT,
            creator text COLLATE "C",
            original_resource_id text COLLATE "C" NOT NULL,
            user_id text COLLATE "C",
            project_id text COLLATE "C",
            started_at bigint NOT NULL,
            ended_at bigint,
            revision_start bigint NOT NULL,
            created_by_user_id text COLLATE "C" GENERATED ALWAYS AS
                (CASE WHEN strpos(creator, ':') > 0
                    THEN substr(creator, 1, strpos(creator, ':') - 1) END) STORED,
            created_by_project_id text COLLATE "C" GENERATED ALWAYS AS
                (CASE WHEN strpos(creator, ':') > 0
                    THEN substr(creator, strpos(creator, ':') + 1) END) STORED,
            CONSTRAINT ck_resource_started_before_ended CHECK (started_at <= ended_at)
        );
        CREATE INDEX ix_resource_type_id ON resource (type, id);
        CREATE INDEX ix_resource_creator ON resource (creator);
        CREATE INDEX ix_resource_created_by_user_id ON resource (created_by_user_id);
        CREATE INDEX ix_resource_created_by_project_id ON resource (created_by_project_id);
        CREATE INDEX ix_resource_user_id ON resource (user_id);
        CREATE INDEX ix_resource_project_id ON resource (project_id);
        CREATE INDEX ix_resource_started_at ON resource (started_at);
        CREATE INDEX ix_resource_ended_at ON resource (ended_at);
        CREATE INDEX ix_resource_revision_start ON resource (revision_start);

        CREATE TABLE resource_history (
            revision bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            id uuid NOT NULL REFERENCES resource (id) ON DELETE CASCADE,
            type text COLLATE "C" NOT NULL REFERENCES resource_type (name) ON DELETE RESTRICT,
            creator text COLLATE "C",
            original_resource_id text COLLATE "C" NOT NULL,
            user_id text COLLATE "C",
            project_id text COLLATE "C",
            started_at bigint NOT NULL,
            ended_at bigint,
            revision_start bigint NOT NULL,
            revision_end bigint NOT NULL,
            created_by_user_id text COLLATE "C" GENERATED ALWAYS AS
                (CASE WHEN strpos(creator, ':') > 0
                    THEN substr(creator, 1, strpos(creator, ':') - 1) END) STORED,
            created_by_project_id text COLLATE "C" GENERATED ALWAYS AS
                (CASE WHEN strpos(creator, ':') > 0
                    THEN substr(creator, strpos(creator, ':') + 1) END) STORED,
            CONSTRAINT ck_resource_history_started_before_ended CHECK (started_at <= ended_at)
        );
        CREATE INDEX ix_resource_history_id_revision ON resource_history (id, revision);
        CREATE INDEX ix_resource_history_type ON resource_history (type);
        CREATE INDEX ix_resource_history_created_by_user_id ON resource_history (created_by_user_id);
        CREATE INDEX ix_resource_history_created_by_project_id ON resource_history (created_by_project_id);
        CREATE INDEX ix_resource_history_user_id ON resource_history (user_id);
        CREATE INDEX ix_resource_history_project_id ON resource_history (project_id);
        CREATE INDEX ix_resource_history_started_at ON resource_history (started_at);
        CREATE INDEX ix_resource_history_ended_at ON resource_history (ended_at);
        CREATE INDEX ix_resource_history_revision_start ON resource_history (revision_start);
        CREATE INDEX ix_resource_history_revision_end ON resource_history (revision_end);

        CREATE TABLE metric (
            id uuid NOT NULL PRIMARY KEY,
            archive_policy_name text COLLATE "C" NOT NULL
                CONSTRAINT fk_metric_archive_policy REFERENCES archive_policy (name) ON DELETE RESTRICT,
            creator text COLLATE "C",
            resource_id uuid CONSTRAINT fk_metric_resource REFERENCES resource (id) ON DELETE SET NULL,
            name text COLLATE "C",
            unit text COLLATE "C" CHECK (unit IS NULL OR char_length(unit) <= 31),
            status text COLLATE "C" NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'delete')),
            needs_raw_data_truncation boolean NOT NULL DEFAULT false,
            last_measure_timestamp bigint NOT NULL
        );
        CREATE UNIQUE INDEX uniq_metric0resource_id0name ON metric (resource_id, name)
            WHERE resource_id IS NOT NULL;
        CREATE INDEX ix_metric_status_id ON metric (id) WHERE status = 'delete';
        CREATE INDEX ix_metric_archive_policy_name ON metric (archive_policy_name);
        CREATE INDEX ix_metric_creator ON metric (creator);
        CREATE INDEX ix_metric_name ON metric (name);
        CREATE INDEX ix_metric_needs_raw_data_truncation ON metric (id) WHERE needs_raw_data_truncation;
        """
}
