import Foundation
import GRDB
public import RondoneTimeSeries

/// The index's free space: pages SQLite keeps in its free list after deletions.
public struct SQLiteFreeSpace: Sendable, Equatable {
    public var freePages: Int
    public var pageSize: Int
    /// The database file's size in bytes (pages × page size).
    public var fileBytes: Int

    public init(freePages: Int, pageSize: Int, fileBytes: Int) {
        self.freePages = freePages
        self.pageSize = pageSize
        self.fileBytes = fileBytes
    }

    /// What a `VACUUM` gives back to the file system.
    public var freeBytes: Int { freePages * pageSize }
}

// Maintenance of the index file for `rondone gc` (Rondone's): every metric id, the free
// pages and `VACUUM`, old resource history.
extension SQLiteIndexer {
    /// Every metric of the index, whatever its status (active or waiting for the
    /// janitor): the ids whose aggregates are not garbage.
    public func allMetricIDs() async throws -> Set<MetricID> {
        try await pool.read { db in
            var ids = Set<MetricID>()
            let rows = try Row.fetchCursor(db, sql: "SELECT id FROM metric")
            while let row = try rows.next() { ids.insert(try SQLiteColumns.metricID(row["id"])) }
            return ids
        }
    }

    /// The active metrics' archive policy names.
    public func activeMetricPolicyNames() async throws -> [MetricID: String] {
        try await pool.read { db in
            var result: [MetricID: String] = [:]
            let rows = try Row.fetchCursor(
                db, sql: "SELECT id, archive_policy_name FROM metric WHERE status = 'active'")
            while let row = try rows.next() {
                result[try SQLiteColumns.metricID(row["id"])] = row["archive_policy_name"]
            }
            return result
        }
    }

    /// The free list's pages and the page size.
    public func freeSpace() async throws -> SQLiteFreeSpace {
        try await pool.read { db in
            let free = try Int.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0
            let size = try Int.fetchOne(db, sql: "PRAGMA page_size") ?? 0
            let pages = try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0
            return SQLiteFreeSpace(freePages: free, pageSize: size, fileBytes: pages * size)
        }
    }

    /// Rebuilds the file without its free pages (`VACUUM`), then checkpoints the
    /// write-ahead log so the main file is cut back. Runs on the pool's one writer
    /// connection, so the server's writes wait for it and its readers keep their
    /// snapshots (WAL mode).
    public func vacuum() async throws {
        try await pool.writeWithoutTransaction { db in
            try db.execute(sql: "VACUUM")
            _ = try? db.checkpoint(.truncate)
        }
    }

    /// History revisions (`resource_history` rows and their attribute rows) of ended
    /// resources whose revision ended before `cutoff`: how many, or with `delete`,
    /// removes them in one transaction and returns how many were removed.
    public func oldResourceHistory(endedBefore cutoff: Timestamp, delete: Bool) async throws -> Int {
        let condition = """
            revision_end < ? AND id IN (SELECT id FROM resource WHERE ended_at IS NOT NULL)
            """
        guard delete else {
            return try await pool.read { db in
                try Int.fetchOne(
                    db, sql: "SELECT count(*) FROM resource_history WHERE \(condition)",
                    arguments: [cutoff.nanoseconds]) ?? 0
            }
        }
        return try await writeTransaction { db in
            try db.execute(
                sql: "DELETE FROM resource_history WHERE \(condition)", arguments: [cutoff.nanoseconds])
            return db.changesCount
        }
    }
}
