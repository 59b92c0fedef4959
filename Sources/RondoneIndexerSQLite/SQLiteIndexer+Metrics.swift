import GRDB
import RondoneIndexer
import RondoneTimeSeries

extension SQLiteIndexer {
    @discardableResult
    public func createMetric(_ creation: MetricCreation) async throws -> Metric {
        try creation.validate()
        return try await writeTransaction { db in
            let policyName: String
            if let named = creation.archivePolicyName {
                policyName = named
            } else {
                let catalog = try self.catalog(db, generation: try Self.generation(db))
                guard let rule = catalog.rules.first(where: { $0.matches(metricName: creation.name) }) else {
                    throw IndexerError.noArchivePolicyRuleMatch(metricName: creation.name)
                }
                policyName = rule.archivePolicyName
            }
            guard try Self.archivePolicyExists(policyName, db) else {
                throw IndexerError.noSuchArchivePolicy(policyName)
            }
            let resource = creation.resourceID.map(SQLiteColumns.blob)
            if let id = creation.resourceID, try !Self.resourceExists(id, db) {
                throw IndexerError.noSuchResource(id.description)
            }
            if let resource, let name = creation.name {
                let taken =
                    try Bool.fetchOne(
                        db, sql: "SELECT EXISTS (SELECT 1 FROM metric WHERE resource_id = ? AND name = ?)",
                        arguments: [resource, name]) ?? false
                if taken { throw IndexerError.namedMetricAlreadyExists(name) }
            }
            try Self.insertMetric(
                creation.id, policy: policyName, creator: creation.creator, resource: creation.resourceID,
                name: creation.name, unit: creation.unit, db)
            return Metric(
                id: creation.id, archivePolicyName: policyName, creator: creation.creator,
                name: creation.name,
                unit: creation.unit, resourceID: creation.resourceID, status: .active)
        }
    }

    public func metric(_ id: MetricID) async throws -> Metric? {
        try await pool.read { db in
            // A cached statement: the measures routes look metrics up on every request,
            // and compiling the SQL again each time cost more than running it.
            try Row.fetchOne(
                db.cachedStatement(sql: "SELECT * FROM metric WHERE id = ? AND status = 'active'"),
                arguments: [SQLiteColumns.blob(id)]
            ).map { row throws(IndexerError) in try SQLiteColumns.metric(row) }
        }
    }

    public func metrics(ids: [MetricID]) async throws -> [Metric] {
        try await pool.read { db in
            var metrics: [Metric] = []
            metrics.reserveCapacity(ids.count)
            // Chunks stay under SQLite's bound-parameter limit.
            for start in stride(from: 0, to: ids.count, by: 500) {
                let chunk = ids[start..<min(start + 500, ids.count)]
                let placeholders = Array(repeating: "?", count: chunk.count).joined(separator: ", ")
                let sql = "SELECT * FROM metric WHERE id IN (\(placeholders)) AND status = 'active'"
                // Small lists (a batch of measures names a few metrics, request after request)
                // reuse a compiled statement per size; larger ones are too varied to keep.
                let statement =
                    try chunk.count <= 64 ? db.cachedStatement(sql: sql) : db.makeStatement(sql: sql)
                let rows = try Row.fetchAll(
                    statement, arguments: StatementArguments(chunk.map(SQLiteColumns.blob)))
                for row in rows { metrics.append(try SQLiteColumns.metric(row)) }
            }
            return metrics
        }
    }

    public func metrics(_ query: MetricQuery) async throws -> [Metric] {
        try await pool.read { db in
            var markerRow: Row? = nil
            if let marker = query.marker {
                // Gnocchi looks the marker up among active metrics whatever is listed.
                markerRow = try MetricID(marker).flatMap { id in
                    try Row.fetchOne(
                        db, sql: "SELECT * FROM metric WHERE id = ? AND status = 'active'",
                        arguments: [SQLiteColumns.blob(id)])
                }
                guard markerRow != nil else {
                    throw IndexerError.invalidPagination("Invalid marker: `\(marker)'")
                }
            }
            guard let list = SQLiteMetricList(query, markerRow: markerRow) else { return [] }
            return try Row.fetchAll(db, sql: list.sql, arguments: StatementArguments(list.arguments)).map {
                row throws(IndexerError) in try SQLiteColumns.metric(row)
            }
        }
    }

    public func deleteMetric(_ id: MetricID) async throws {
        try await writeTransaction { db in
            try db.execute(
                sql:
                    "UPDATE metric SET status = 'delete', resource_id = NULL WHERE id = ? AND status = 'active'",
                arguments: [SQLiteColumns.blob(id)])
            guard db.changesCount > 0 else { throw IndexerError.noSuchMetric(id.description) }
        }
    }

    public func archivePolicies(of metrics: [MetricID]) async throws -> [MetricID: ArchivePolicy] {
        guard !metrics.isEmpty else { return [:] }
        return try await pool.read { db in
            let policies = try self.catalog(db, generation: try Self.generation(db)).policiesByName
            var result: [MetricID: ArchivePolicy] = [:]
            result.reserveCapacity(metrics.count)
            // Chunks stay under SQLite's bound-parameter limit; full chunks (metricd
            // asks for hundreds at once) reuse one compiled statement.
            for start in stride(from: 0, to: metrics.count, by: 500) {
                let chunk = metrics[start..<min(start + 500, metrics.count)]
                let placeholders = Array(repeating: "?", count: chunk.count).joined(separator: ", ")
                let sql =
                    "SELECT id, archive_policy_name FROM metric WHERE id IN (\(placeholders)) AND status = 'active'"
                let statement =
                    try chunk.count == 500 || chunk.count <= 64
                    ? db.cachedStatement(sql: sql) : db.makeStatement(sql: sql)
                let rows = try Row.fetchCursor(
                    statement, arguments: StatementArguments(chunk.map(SQLiteColumns.blob)))
                while let row = try rows.next() {
                    let name: String = row["archive_policy_name"]
                    guard let policy = policies[name] else { continue }
                    result[try SQLiteColumns.metricID(row["id"])] = policy
                }
            }
            return result
        }
    }

    public func metricsPendingDeletion(limit: Int) async throws -> [MetricID] {
        try await ids(sql: Self.pendingDeletionSQL, limit: limit)
    }

    /// metricd's purge worklist, served by the partial index `ix_metric_status_id`.
    static let pendingDeletionSQL = "SELECT id FROM metric WHERE status = 'delete' ORDER BY id LIMIT ?"

    public func purgeMetric(_ id: MetricID) async throws {
        try await writeTransaction { db in
            try db.execute(sql: "DELETE FROM metric WHERE id = ?", arguments: [SQLiteColumns.blob(id)])
            guard db.changesCount > 0 else { throw IndexerError.noSuchMetric(id.description) }
        }
    }

    public func metricsNeedingRawDataTruncation(limit: Int) async throws -> [MetricID] {
        try await ids(
            sql: "SELECT id FROM metric WHERE needs_raw_data_truncation = 1 AND status = 'active' LIMIT ?",
            limit: limit)
    }

    public func clearRawDataTruncation(_ id: MetricID) async throws {
        try await writeTransaction { db in
            try db.execute(
                sql: "UPDATE metric SET needs_raw_data_truncation = 0 WHERE id = ?",
                arguments: [SQLiteColumns.blob(id)])
        }
    }

    /// Inserts an active metric (in the caller's transaction, checks already made).
    static func insertMetric(
        _ id: MetricID, policy: String, creator: String?, resource: ResourceID?, name: String?, unit: String?,
        _ db: Database
    ) throws {
        try db.execute(
            sql: """
                INSERT INTO metric (id, archive_policy_name, creator, resource_id, name, unit,
                    status, needs_raw_data_truncation, last_measure_timestamp)
                VALUES (?, ?, ?, ?, ?, ?, 'active', 0, ?)
                """,
            arguments: [
                SQLiteColumns.blob(id), policy, creator, resource.map(SQLiteColumns.blob), name, unit,
                Timestamp.now().nanoseconds,
            ])
    }

    private func ids(sql: String, limit: Int) async throws -> [MetricID] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: sql, arguments: [limit]).map { row throws(IndexerError) in
                try SQLiteColumns.metricID(row["id"])
            }
        }
    }
}
