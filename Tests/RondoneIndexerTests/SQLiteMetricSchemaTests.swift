import Foundation
import GRDB
import RondoneIndexer
import RondoneTesting
import RondoneTimeSeries
import Testing

@testable import RondoneIndexerSQLite

/// Migration v4 (the partial `metric` indexes, and the table rebuilt to drop its
/// UNIQUE constraint), the uniqueness rule it keeps, and the plans of metric queries.
@Suite struct SQLiteMetricSchemaTests {
    static let v3 = "v3: custom resource types, search indexes"

    /// An index opened on a fresh file, no migration applied.
    static func openIndexer() throws -> SQLiteIndexer {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "rondone-index-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return try SQLiteIndexer(path: directory.appendingPathComponent("index.sqlite").path)
    }

    static func remove(_ indexer: SQLiteIndexer) {
        try? FileManager.default.removeItem(
            at: URL(fileURLWithPath: indexer.path).deletingLastPathComponent())
    }

    static func rows(_ indexer: SQLiteIndexer, _ sql: String) async throws -> [[DatabaseValue]] {
        try await indexer.pool.read { db in try Row.fetchAll(db, sql: sql).map { Array($0.databaseValues) } }
    }

    /// Runs `sql` and returns the SQLite error's extended code, nil when it succeeds.
    static func failure(_ indexer: SQLiteIndexer, _ sql: String, _ arguments: StatementArguments = [])
        async throws -> ResultCode?
    {
        do {
            try await indexer.pool.write { db in try db.execute(sql: sql, arguments: arguments) }
            return nil
        } catch let error as DatabaseError {
            return error.extendedResultCode
        }
    }

    @Test func v3DatabaseMigratesInPlace() async throws {
        let indexer = try Self.openIndexer()
        defer { Self.remove(indexer) }
        try SQLiteSchema.migrator.migrate(indexer.pool, upTo: Self.v3)
        // A database as the previous release left it: metrics on resources, without one
        // (some sharing a name, some unnamed), deleted ones, flagged ones.
        try await indexer.createArchivePolicy(try policy("low"))
        try await indexer.createArchivePolicy(try policy("high", backWindow: 3))
        var random = SplitMix64(seed: 4)
        var resources: [ResourceID] = []
        for n in 0..<3 {
            let resource = random.resourceID()
            resources.append(resource)
            _ = try await indexer.createResource(
                ResourceCreation(
                    id: resource, originalResourceID: resource.description, creator: "u:p",
                    metrics: ["cpu", "mem", "disk"].map { name in
                        (
                            name,
                            .new(id: random.metricID(), archivePolicyName: n == 0 ? "high" : "low", unit: "B")
                        )
                    }))
        }
        var loose: [MetricID] = []
        for (n, name) in ["cpu", "cpu", "cpu", nil, nil].enumerated() {
            let id = random.metricID()
            loose.append(id)
            try await indexer.createMetric(
                MetricCreation(
                    id: id, creator: n == 0 ? nil : "u", archivePolicyName: n == 1 ? "high" : "low",
                    name: name,
                    unit: n == 2 ? "ns" : nil))
        }
        let onResource = try #require(try await indexer.metric(resource: resources[1], named: "mem"))
        try await indexer.deleteMetric(onResource.id)
        try await indexer.deleteMetric(loose[4])
        _ = try await indexer.updateArchivePolicy(
            named: "high", definition: try policy("high").definition, backWindow: 1)

        let query = "SELECT * FROM metric ORDER BY id"
        let before = try await Self.rows(indexer, query)
        let columns = try await Self.rows(indexer, "SELECT * FROM pragma_table_xinfo('metric')")
        let foreignKeys = try await Self.rows(indexer, "SELECT * FROM pragma_foreign_key_list('metric')")
        let active = try await indexer.metrics(MetricQuery())
        let deleted = try await indexer.metrics(MetricQuery(status: .delete))
        #expect(before.count == 14 && active.count == 12 && deleted.count == 2)
        let flagged = try await indexer.metricsNeedingRawDataTruncation(limit: 100)
        #expect(flagged.count == 4)

        try await indexer.upgrade(createDefaultPolicies: false)

        // Every row, column and foreign key as it was.
        #expect(try await Self.rows(indexer, query) == before)
        #expect(try await Self.rows(indexer, "SELECT * FROM pragma_table_xinfo('metric')") == columns)
        #expect(
            try await Self.rows(indexer, "SELECT * FROM pragma_foreign_key_list('metric')") == foreignKeys)
        #expect(try await indexer.metrics(MetricQuery()) == active)
        #expect(try await indexer.metrics(MetricQuery(status: .delete)) == deleted)
        #expect(Set(try await indexer.metricsNeedingRawDataTruncation(limit: 100)) == Set(flagged))
        #expect(try await indexer.metricsPendingDeletion(limit: 10) == [onResource.id, loose[4]].sorted())
        #expect(try await Self.rows(indexer, "PRAGMA foreign_key_check").isEmpty)
        #expect(try await Self.rows(indexer, "PRAGMA integrity_check") == [["ok".databaseValue]])

        let schema = try await indexer.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT name, sql FROM sqlite_schema WHERE tbl_name = 'metric'")
                .reduce(into: [String: String]()) { $0[$1["name"]] = $1["sql"] ?? "" }
        }
        #expect(
            schema.keys.sorted() == [
                "ix_metric_archive_policy_name", "ix_metric_creator", "ix_metric_needs_raw_data_truncation",
                "ix_metric_status_id", "metric", "uniq_metric0resource_id0name",
            ])
        #expect(schema["metric"]?.hasSuffix("WITHOUT ROWID") == true)
        #expect(schema["metric"]?.contains("UNIQUE") == false)
        #expect(schema["uniq_metric0resource_id0name"]?.contains("WHERE resource_id IS NOT NULL") == true)
        #expect(schema["ix_metric_status_id"]?.contains("WHERE status = 'delete'") == true)

        // The CHECKs came along.
        let insert = """
            INSERT INTO metric (id, archive_policy_name, resource_id, name, unit, status, last_measure_timestamp)
            VALUES (?, 'low', ?, ?, ?, ?, 0)
            """
        let blob = { (id: MetricID) in SQLiteColumns.blob(id) }
        #expect(
            try await Self.failure(indexer, insert, [Data(count: 15), nil, nil, nil, "active"])
                == .SQLITE_CONSTRAINT_CHECK)
        #expect(
            try await Self.failure(
                indexer, insert, [blob(random.metricID()), Data(count: 3), nil, nil, "active"])
                == .SQLITE_CONSTRAINT_CHECK)
        #expect(
            try await Self.failure(
                indexer, insert,
                [blob(random.metricID()), nil, nil, String(repeating: "u", count: 32), "active"])
                == .SQLITE_CONSTRAINT_CHECK)
        #expect(
            try await Self.failure(indexer, insert, [blob(random.metricID()), nil, nil, nil, "gone"])
                == .SQLITE_CONSTRAINT_CHECK)
        #expect(
            try await Self.failure(
                indexer,
                "INSERT INTO metric (id, archive_policy_name, last_measure_timestamp) VALUES (?, 'none', 0)",
                [blob(random.metricID())]) == .SQLITE_CONSTRAINT_FOREIGNKEY)

        // The uniqueness rule holds on the migrated rows.
        await expectIndexerError(.namedMetricAlreadyExists("cpu")) {
            try await indexer.createMetric(
                MetricCreation(
                    id: random.metricID(), creator: "u:p", archivePolicyName: "low", name: "cpu",
                    resourceID: resources[0]))
        }
        #expect(
            try await Self.failure(
                indexer, insert,
                [blob(random.metricID()), SQLiteColumns.blob(resources[2]), "disk", nil, "active"])
                == .SQLITE_CONSTRAINT_UNIQUE)
        // The deleted metric's name is free on its resource; names off a resource repeat.
        try await indexer.createMetric(
            MetricCreation(
                id: random.metricID(), creator: "u:p", archivePolicyName: "low", name: "mem",
                resourceID: resources[1]))
        try await indexer.createMetric(
            MetricCreation(id: random.metricID(), creator: "u", archivePolicyName: "low", name: "cpu"))
        #expect(try await indexer.metrics(MetricQuery(filters: [.init(.name, equals: "cpu")])).count == 7)
    }

    @Test func duplicateNameOnResourceRefused() async throws {
        let indexer = try await SQLiteIndexerTests.contract.makeIndexer() as! SQLiteIndexer
        defer { Self.remove(indexer) }
        try await indexer.createArchivePolicy(try policy("low"))
        var random = SplitMix64(seed: 5)
        let resource = random.resourceID()
        let other = random.resourceID()
        for id in [resource, other] {
            _ = try await indexer.createResource(
                ResourceCreation(
                    id: id, originalResourceID: id.description, creator: "a",
                    metrics: [("cpu", .new(id: random.metricID(), archivePolicyName: "low", unit: nil))]))
        }
        // Through every path that names a metric on a resource.
        await expectIndexerError(.namedMetricAlreadyExists("cpu")) {
            try await indexer.createMetric(
                MetricCreation(
                    id: random.metricID(), creator: "a", archivePolicyName: "low", name: "cpu",
                    resourceID: resource))
        }
        var append = ResourceUpdate()
        append.metrics = [("cpu", .new(id: random.metricID(), archivePolicyName: "low", unit: nil))]
        append.appendMetrics = true
        await expectIndexerError(.namedMetricAlreadyExists("cpu")) {
            _ = try await indexer.updateResource(resource, type: "generic", append)
        }
        let loose = random.metricID()
        try await indexer.createMetric(MetricCreation(id: loose, creator: "a", archivePolicyName: "low"))
        append.metrics = [("cpu", .existing(loose))]
        await expectIndexerError(.namedMetricAlreadyExists("cpu")) {
            _ = try await indexer.updateResource(resource, type: "generic", append)
        }
        // The index itself refuses it too, should a write skip the check.
        #expect(
            try await Self.failure(
                indexer, "UPDATE metric SET resource_id = ?, name = 'cpu' WHERE id = ?",
                [SQLiteColumns.blob(resource), SQLiteColumns.blob(loose)]) == .SQLITE_CONSTRAINT_UNIQUE)

        // Without a resource, a name repeats freely.
        for _ in 0..<2 {
            try await indexer.createMetric(
                MetricCreation(id: random.metricID(), creator: "a", archivePolicyName: "low", name: "cpu"))
        }
        #expect(
            try await Self.failure(indexer, "UPDATE metric SET name = 'cpu' WHERE resource_id IS NULL") == nil
        )
        #expect(try await indexer.metrics(MetricQuery(filters: [.init(.name, equals: "cpu")])).count == 5)
        #expect(
            try await indexer.metrics(MetricQuery.attached(to: resource)).map(\.name) == ["cpu"])
    }

    /// The metric searches the API and metricd make often: none reads the whole table
    /// through an index, the full list walks the primary key (its order) and stops at
    /// the page's end.
    @Test func metricQueryPlans() async throws {
        let indexer = try await SQLiteIndexerTests.contract.makeIndexer() as! SQLiteIndexer
        defer { Self.remove(indexer) }
        func plan(_ sql: String, _ arguments: [DatabaseValue]) async throws -> [String] {
            try await indexer.pool.read { db in
                try Row.fetchAll(
                    db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: StatementArguments(arguments)
                )
                .map { $0["detail"] }
            }
        }
        func plan(_ query: MetricQuery, marker: MetricID? = nil) async throws -> [String] {
            let markerRow = marker.map { Row(["id": SQLiteColumns.blob($0)]) }
            let list = try #require(SQLiteMetricList(query, markerRow: markerRow))
            return try await plan(list.sql, list.arguments)
        }
        let id = MetricID(high: 1, low: 2)
        #expect(try await plan(MetricQuery()) == ["SCAN metric"])
        #expect(
            try await plan(MetricQuery(limit: 7, marker: id.description), marker: id) == [
                "SEARCH metric USING PRIMARY KEY (id>?)"
            ])
        #expect(
            try await plan(MetricQuery.attached(to: ResourceID(high: 3, low: 4))).first
                == "SEARCH metric USING INDEX uniq_metric0resource_id0name (resource_id=?)")
        #expect(
            try await plan(MetricQuery(filters: [.init(.creator, equals: "a")], limit: 7))
                == ["SEARCH metric USING INDEX ix_metric_creator (creator=?)"])
        #expect(
            try await plan(MetricQuery(status: .delete, limit: 7))
                == ["SEARCH metric USING INDEX ix_metric_status_id (status=?)"])
        #expect(
            try await plan(SQLiteIndexer.pendingDeletionSQL, [10.databaseValue])
                == ["SEARCH metric USING COVERING INDEX ix_metric_status_id (status=?)"])
    }
}
