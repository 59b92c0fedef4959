import Foundation
import GRDB
import RondoneIndexer
import RondoneTimeSeries

// The rows of another index written as they are: what `rondone backup` of a PostgreSQL
// + S3 deployment writes into the embedded data directory it makes.
extension SQLiteIndexer: IndexerImport {
    public func importResources(_ resources: [[Resource]]) async throws -> Set<ResourceID> {
        guard !resources.isEmpty else { return [] }
        return try await writeTransaction { db in
            var inserted = Set<ResourceID>()
            for revisions in resources {
                let imported = try ImportedResource(revisions)
                let current = imported.current
                guard try !Self.resourceExists(current.id, db) else { continue }
                let tables = try Self.requireResourceType(current.type, db)
                try Self.check(current.attributes, type: current.type, tables)
                let key = SQLiteColumns.blob(current.id)
                try Self.insertCurrentRow(current, db)
                try tables?.insert(current.id, current.attributes, db)
                for old in imported.history {
                    try Self.check(old.attributes, type: old.type, tables)
                    let taken =
                        try Int.fetchOne(
                            db, sql: "SELECT 1 FROM resource_history WHERE revision = ?",
                            arguments: [old.revision]) != nil
                    if taken {
                        throw IndexerError.corruptIndex(
                            "revision \(old.revision) of resource \(old.id) is taken in the target index")
                    }
                    // An explicit revision moves AUTOINCREMENT's counter past it, so the
                    // next revision made here comes after every imported one.
                    try db.execute(
                        sql: """
                            INSERT INTO resource_history (revision, id, type, creator, original_resource_id,
                                user_id, project_id, started_at, ended_at, revision_start, revision_end)
                            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                            """,
                        arguments: [
                            old.revision, key, old.type, old.creator, old.originalResourceID, old.userID,
                            old.projectID, old.startedAt.nanoseconds, old.endedAt?.nanoseconds,
                            old.revisionStart.nanoseconds, (old.revisionEnd ?? old.revisionStart).nanoseconds,
                        ])
                    try tables?.insertHistory(old.revision, old.attributes, db)
                }
                inserted.insert(current.id)
            }
            return inserted
        }
    }

    public func importMetrics(_ metrics: [Metric], truncating: Set<MetricID>) async throws -> Int {
        guard !metrics.isEmpty else { return 0 }
        return try await writeTransaction { db in
            var inserted = 0
            let now = Timestamp.now().nanoseconds
            for metric in metrics {
                try db.execute(
                    sql: """
                        INSERT INTO metric (id, archive_policy_name, creator, resource_id, name, unit,
                            status, needs_raw_data_truncation, last_measure_timestamp)
                        VALUES (?, ?, ?, ?, ?, ?, 'active', ?, ?)
                        ON CONFLICT (id) DO NOTHING
                        """,
                    arguments: [
                        SQLiteColumns.blob(metric.id), metric.archivePolicyName, metric.creator,
                        metric.resourceID.map(SQLiteColumns.blob), metric.name, metric.unit,
                        truncating.contains(metric.id) ? 1 : 0, now,
                    ])
                inserted += db.changesCount
            }
            return inserted
        }
    }

    /// Nothing to do: `resource_history.revision` is AUTOINCREMENT, whose counter
    /// follows the largest revision ever inserted, imported ones included.
    public func finishImport() async throws {}

    public func importCheckpoint(_ name: String) async throws -> String? {
        try await pool.read { db in
            guard try db.tableExists("rondone_import_checkpoint") else { return nil }
            return try String.fetchOne(
                db, sql: "SELECT value FROM rondone_import_checkpoint WHERE name = ?", arguments: [name])
        }
    }

    public func saveImportCheckpoint(_ name: String, value: String?) async throws {
        try await writeTransaction { db in
            // A table of its own, made on first use (an index that was never an import
            // target has none).
            try db.execute(
                sql: """
                    CREATE TABLE IF NOT EXISTS rondone_import_checkpoint (
                        name TEXT NOT NULL PRIMARY KEY, value TEXT NOT NULL)
                    """)
            if let value {
                try db.execute(
                    sql: """
                        INSERT INTO rondone_import_checkpoint (name, value) VALUES (?, ?)
                        ON CONFLICT (name) DO UPDATE SET value = excluded.value
                        """, arguments: [name, value])
            } else {
                try db.execute(sql: "DELETE FROM rondone_import_checkpoint WHERE name = ?", arguments: [name])
            }
        }
    }
}
