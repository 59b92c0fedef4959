import PostgresNIO
import RondoneIndexer
import RondoneIndexerPostgreSQL
import RondoneTesting
import RondoneTimeSeries
import Testing

/// The shared driver contract, run against the PostgreSQL driver in a fresh schema
/// each, and what only a shared database has: several indexers (processes) on one
/// database, concurrent upgrades, connections lost under the pool.
@Suite(.enabled(if: PostgreSQLTestDatabase.isAvailable, "RONDONE_TEST_POSTGRESQL_URL is not set"))
struct PostgreSQLIndexerTests {
    static let contract = IndexerContract(
        makeIndexer: {
            let url = try await PostgreSQLTestDatabase.makeSchema()
            let indexer = PostgreSQLTestDatabase.indexer(url)
            try await indexer.upgrade(createDefaultPolicies: false)
            return indexer
        },
        dispose: { indexer in
            guard let indexer = indexer as? PostgreSQLIndexer else { return }
            await indexer.shutdown()
            await PostgreSQLTestDatabase.dropSchema(of: indexer.url)
        })

    @Test(arguments: IndexerContract.Check.allCases)
    func contract(_ check: IndexerContract.Check) async throws {
        try await Self.contract.run(check)
    }

    /// Runs `body` with `count` indexers on one fresh schema (not upgraded).
    func withIndexers(
        _ count: Int, applicationName: String? = nil, _ body: ([PostgreSQLIndexer]) async throws -> Void
    ) async throws {
        let url = try await PostgreSQLTestDatabase.makeSchema()
        let indexers = (0..<count).map { _ in
            PostgreSQLTestDatabase.indexer(url, applicationName: applicationName)
        }
        do {
            try await body(indexers)
        } catch {
            for indexer in indexers { await indexer.shutdown() }
            await PostgreSQLTestDatabase.dropSchema(of: url)
            throw error
        }
        for indexer in indexers { await indexer.shutdown() }
        await PostgreSQLTestDatabase.dropSchema(of: url)
    }

    @Test func aSecondIndexerSeesTheFirstOnesCommits() async throws {
        try await withIndexers(2) { indexers in
            let (first, second) = (indexers[0], indexers[1])
            try await first.upgrade(createDefaultPolicies: true)
            try await second.upgrade(createDefaultPolicies: true)
            // The second caches the catalog, then the first changes it.
            #expect(try await second.archivePolicies().map(\.name) == ["bool", "low", "medium", "high"])
            let custom = try policy("custom", [(1, 60)])
            try await first.createArchivePolicy(custom)
            #expect(try await second.archivePolicy(named: "custom") == custom)
            try await first.createArchivePolicyRule(
                ArchivePolicyRule(name: "cpu", metricPattern: "cpu*", archivePolicyName: "custom"))
            #expect(try await second.archivePolicyRule(forMetricName: "cpu.util")?.name == "cpu")
            var random = SplitMix64(seed: 42)
            let metric = try await second.createMetric(
                MetricCreation(id: random.metricID(), creator: "u:p", name: "cpu.util"))
            #expect(metric.archivePolicyName == "custom")
            #expect(try await first.archivePolicies(of: [metric.id]) == [metric.id: custom])
            let updated = try await first.updateArchivePolicy(
                named: "custom", definition: [try ArchivePolicyItem(granularity: .seconds(1), points: 120)],
                backWindow: nil)
            #expect(try await second.archivePolicies(of: [metric.id]) == [metric.id: updated])
            // Resources and types too.
            try await first.createResourceType(IndexerChecks.instanceType)
            let resource = random.resourceID()
            _ = try await second.createResource(
                ResourceCreation(
                    id: resource, type: "instance", originalResourceID: resource.description, creator: "u:p",
                    attributes: ["host": .string("h1")]))
            #expect(try await first.resource(resource, type: "instance")?.attributes["host"] == .string("h1"))
            try await first.deleteMetric(metric.id)
            #expect(try await second.metric(metric.id) == nil)
            #expect(try await second.metricsPendingDeletion(limit: 10) == [metric.id])
        }
    }

    @Test func concurrentUpgradesApplyEachMigrationOnce() async throws {
        try await withIndexers(4) { indexers in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for indexer in indexers {
                    group.addTask { try await indexer.upgrade(createDefaultPolicies: true) }
                }
                try await group.waitForAll()
            }
            for indexer in indexers {
                #expect(try await indexer.archivePolicies() == ArchivePolicy.defaultPolicies)
                #expect(try await indexer.archivePolicyRules() == [.default])
            }
            // Again, concurrently: nothing changes.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for indexer in indexers {
                    group.addTask { try await indexer.upgrade(createDefaultPolicies: true) }
                }
                try await group.waitForAll()
            }
            #expect(try await indexers[0].archivePolicies().count == 4)
            let schema = indexers[0].url.options?.split(separator: "=").last.map(String.init) ?? ""
            let migrations = try await PostgreSQLTestDatabase.admin { connection in
                try await connection.query(
                    PostgresQuery(unsafeSQL: "SELECT version FROM \(schema).indexer_schema_version"),
                    logger: PostgreSQLTestDatabase.logger
                ).collect().count
            }
            #expect(migrations == 1)
        }
    }

    /// Connections the server ends (as a restart does) are replaced: the next calls
    /// succeed, reads and writes alike. Several at once, as the end of a connection
    /// races the pool's next lease of it.
    @Test(arguments: 0..<8) func lostConnectionsAreReplaced(_ run: Int) async throws {
        let name = "rondone-reconnect-\(run)-\(UInt32.random(in: 0...UInt32.max))"
        try await withIndexers(1, applicationName: name) { indexers in
            let indexer = indexers[0]
            try await indexer.upgrade(createDefaultPolicies: true)
            var random = SplitMix64(seed: 7)
            let metric = try await indexer.createMetric(
                MetricCreation(id: random.metricID(), creator: "a", archivePolicyName: "low"))
            for round in 0..<3 {
                let ended = try await PostgreSQLTestDatabase.admin { connection in
                    try await connection.query(
                        """
                        SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                        WHERE application_name = \(name)
                        """,
                        logger: PostgreSQLTestDatabase.logger
                    ).collect().count
                }
                #expect(ended > 0, "round \(round)")
                // No pause: the pool may still hand out a connection the server ended.
                #expect(try await indexer.metric(metric.id) == metric)
                #expect(try await indexer.archivePolicies(of: [metric.id])[metric.id]?.name == "low")
                #expect(try await indexer.archivePolicies().count == 4)
                try await indexer.createMetric(
                    MetricCreation(id: random.metricID(), creator: "a", archivePolicyName: "low"))
            }
            #expect(try await indexer.metrics(MetricQuery()).count == 4)
        }
    }
}
