import Foundation
import RondoneIndexer
import RondoneTesting
import RondoneTimeSeries
import Testing

@testable import RondoneIndexerSQLite

/// The idle cut-back of the index's write-ahead log.
@Suite struct SQLiteWALTests {
    static func walSize(_ indexer: SQLiteIndexer) -> Int {
        (try? FileManager.default.attributesOfItem(atPath: indexer.path + "-wal")[.size] as? Int) ?? 0
    }

    @Test func anIdleWALIsTruncatedAndABusyOneIsNot() async throws {
        let indexer = try SQLiteMetricSchemaTests.openIndexer()
        try await indexer.upgrade(createDefaultPolicies: true)
        defer { SQLiteMetricSchemaTests.remove(indexer) }
        var random = SplitMix64(seed: 11)
        func create() async throws {
            try await indexer.createMetric(
                MetricCreation(id: random.metricID(), creator: "u", archivePolicyName: "low"))
        }
        try await create()
        #expect(Self.walSize(indexer) > 0)
        // First sight: only noted.
        await indexer.truncateIdleWAL(threshold: 0)
        #expect(Self.walSize(indexer) > 0)
        // A write in between: not idle, left alone.
        try await Task.sleep(for: .milliseconds(20))
        try await create()
        await indexer.truncateIdleWAL(threshold: 0)
        #expect(Self.walSize(indexer) > 0)
        // Unchanged since the previous look: emptied, and every row is still there.
        await indexer.truncateIdleWAL(threshold: 0)
        #expect(Self.walSize(indexer) == 0)
        #expect(try await indexer.metrics(MetricQuery()).count == 2)
        // Writes go on normally afterwards.
        try await create()
        #expect(try await indexer.metrics(MetricQuery()).count == 3)
    }
}
