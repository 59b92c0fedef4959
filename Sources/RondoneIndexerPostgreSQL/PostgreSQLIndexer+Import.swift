import PostgresNIO
import RondoneIndexer
import RondoneTimeSeries

extension PostgreSQLIndexer: IndexerImport {
    public func importResources(_ resources: [[Resource]]) async throws -> Set<ResourceID> {
        guard !resources.isEmpty else { return [] }
        return try await write { session in
            var inserted = Set<ResourceID>()
            for revisions in resources {
                let imported = try ImportedResource(revisions)
                let current = imported.current
                let (_, tables) = try await Self.requireResourceType(current.type, session, forWriting: true)
                try Self.check(current.attributes, type: current.type, tables)
                let key = PostgreSQLUUID(current.id)
                let created = try await session.exists(
                    """
                    INSERT INTO resource (id, type, creator, original_resource_id, user_id, project_id,
                        started_at, ended_at, revision_start)
                    VALUES (\(key), \(current.type), \(current.creator), \(current.originalResourceID),
                        \(current.userID), \(current.projectID), \(current.startedAt.nanoseconds),
                        \(current.endedAt?.nanoseconds), \(current.revisionStart.nanoseconds))
                    ON CONFLICT (id) DO NOTHING RETURNING 1
                    """)
                guard created else { continue }
                try await tables?.insert(current.id, current.attributes, session)
                for old in imported.history {
                    try Self.check(old.attributes, type: old.type, tables)
                    let taken = try await session.exists(
                        "SELECT 1 FROM resource_history WHERE revision = \(old.revision)")
                    if taken {
                        throw IndexerError.corruptIndex(
                            "revision \(old.revision) of resource \(old.id) is taken in the target index")
                    }
                    try await session.execute(
                        """
                        INSERT INTO resource_history (revision, id, type, creator, original_resource_id,
                            user_id, project_id, started_at, ended_at, revision_start, revision_end)
                        OVERRIDING SYSTEM VALUE
                        VALUES (\(old.revision), \(key), \(old.type), \(old.creator), \(old.originalResourceID),
                            \(old.userID), \(old.projectID), \(old.startedAt.nanoseconds),
                            \(old.endedAt?.nanoseconds), \(old.revisionStart.nanoseconds),
                            \((old.revisionEnd ?? old.revisionStart).nanoseconds))
                        """)
                    try await tables?.insertHistory(old.revision, old.attributes, session)
                }
                inserted.insert(current.id)
            }
            return inserted
        }
    }

    public func importMetrics(_ metrics: [Metric], truncating: Set<MetricID>) async throws -> Int {
        guard !metrics.isEmpty else { return 0 }
        return try await write { session in
            var inserted = 0
            for metric in metrics {
                let created = try await session.exists(
                    """
                    INSERT INTO metric (id, archive_policy_name, creator, resource_id, name, unit, status,
                        needs_raw_data_truncation, last_measure_timestamp)
                    VALUES (\(PostgreSQLUUID(metric.id)), \(metric.archivePolicyName), \(metric.creator),
                        \(metric.resourceID.map(PostgreSQLUUID.init)), \(metric.name), \(metric.unit), 'active',
                        \(truncating.contains(metric.id)), \(Timestamp.now().nanoseconds))
                    ON CONFLICT (id) DO NOTHING RETURNING 1
                    """)
                if created { inserted += 1 }
            }
            return inserted
        }
    }

    public func finishImport() async throws {
        try await write { session in
            try await session.execute(
                """
                SELECT setval(sequence, GREATEST(largest, COALESCE(pg_sequence_last_value(sequence::regclass), 1)))
                FROM (SELECT pg_get_serial_sequence('resource_history', 'revision') AS sequence,
                    max(revision) AS largest FROM resource_history) AS numbering
                WHERE largest IS NOT NULL
                """)
        }
    }

    public func importCheckpoint(_ name: String) async throws -> String? {
        try await write { session in
            try await Self.createCheckpointTable(session)
            return try await session.rows("SELECT value FROM rondone_import_checkpoint WHERE name = \(name)")
                .first?.get("value", as: String.self)
        }
    }

    public func saveImportCheckpoint(_ name: String, value: String?) async throws {
        try await write { session in
            try await Self.createCheckpointTable(session)
            if let value {
                try await session.execute(
                    """
                    INSERT INTO rondone_import_checkpoint (name, value) VALUES (\(name), \(value))
                    ON CONFLICT (name) DO UPDATE SET value = excluded.value
                    """)
            } else {
                try await session.execute("DELETE FROM rondone_import_checkpoint WHERE name = \(name)")
            }
        }
    }

    /// The checkpoints of `rondone migrate` live in a table of their own, made on first
    /// use (an index that was never an import target has none).
    private static func createCheckpointTable(_ session: PostgreSQLSession) async throws {
        try await session.execute(
            """
            CREATE TABLE IF NOT EXISTS rondone_import_checkpoint (
                name text COLLATE "C" NOT NULL PRIMARY KEY,
                value text NOT NULL
            )
            """)
    }
}
