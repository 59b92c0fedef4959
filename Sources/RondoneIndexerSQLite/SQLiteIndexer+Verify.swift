import GRDB
public import RondoneIndexer

// What `rondone fsck` asks the index: SQLite's own checks, and every metric row.
extension SQLiteIndexer {
    /// The problems `PRAGMA integrity_check` and `PRAGMA foreign_key_check` report, one
    /// sentence each; empty when the database is sound.
    public func integrityProblems() async throws -> [String] {
        try await pool.read { db in
            var problems: [String] = []
            for row in try Row.fetchAll(db, sql: "PRAGMA integrity_check") {
                let text: String = row[0] ?? ""
                if text != "ok" { problems.append("integrity_check: \(text)") }
            }
            for row in try Row.fetchAll(db, sql: "PRAGMA foreign_key_check") {
                let table: String = row[0] ?? "?"
                let rowid: Int64? = row[1]
                let parent: String = row[2] ?? "?"
                problems.append(
                    "foreign_key_check: a row of \(table)\(rowid.map { " (rowid \($0))" } ?? "") names a missing row of \(parent)"
                )
            }
            return problems
        }
    }

    /// Every metric row, active or awaiting deletion.
    public func allMetricRows() async throws -> [IndexedMetric] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT id, archive_policy_name, status FROM metric").map { row in
                IndexedMetric(
                    id: try SQLiteColumns.metricID(row["id"]), archivePolicyName: row["archive_policy_name"],
                    status: MetricStatus(rawValue: row["status"]) ?? .active)
            }
        }
    }
}
