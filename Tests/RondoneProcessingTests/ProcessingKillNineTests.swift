import Foundation
import RondoneProcessing
import RondoneStorage
import RondoneTesting
import RondoneTimeSeries
import Testing

/// `kill -9` of a writer mid-ingest, then a restart and metricd over every sack: each
/// acknowledged measure is aggregated, exactly once.
@Suite struct ProcessingKillNineTests {
    @Test func acknowledgedMeasuresAreAggregatedOnceAfterKill() async throws {
        let writer = try #require(FaultWriter.path, "build the rondone-fault-writer product first")
        let batchSize = 20
        let base = FileManager.default.temporaryDirectory.path + "/rondone-processing-tests"
        let path = base + "/kill9-\(getpid())-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let acknowledged = try FaultWriter.runAndKill(
            executable: writer, directory: path + "/incoming", sacks: 8, batchSize: batchSize,
            duration: .seconds(1))
        try #require(acknowledged.count > 20)

        // Restart: open the stores and let metricd go over every sack.
        let fixture = try ProcessingFixture("kill9", sacks: 8, path: path)
        defer { fixture.remove() }
        let waiting = try await fixture.incoming.backlogSummary().measures
        // The writer's 16 metrics; 1 ns counts, so every time stamp is its own period.
        let metrics = (0..<16).map { MetricID(high: 0x0123_4567_89ab_cdef, low: UInt64($0)) }
        let policy = try policy([(1, nil)], methods: ["count"], granularityUnit: 1)
        let metricd = fixture.metricd(
            catalog: InMemoryMetricCatalog(Dictionary(uniqueKeysWithValues: metrics.map { ($0, policy) })))
        try await metricd.drain()
        #expect(try await fixture.incoming.backlogSummary().batches == 0)

        var counted = 0.0
        var present = Set<Int64>()
        for metric in metrics {
            let counts = try await metricd.processor.readAggregates(
                metric: metric, policy: policy, aggregation: Aggregation(name: "count")!,
                granularity: TimeDelta(nanoseconds: 1))
            #expect(counts.values.allSatisfy { $0 == 1 })
            counted += total(counts)
            present.formUnion(counts.timestamps)
        }
        // Exactly what survived in the log, and at least every acknowledged measure.
        #expect(Int(counted) == waiting)
        #expect(Int(counted) >= acknowledged.count * batchSize)
        let missing = acknowledged.filter { !present.contains(Int64($0 * batchSize)) }
        #expect(missing.isEmpty, "acknowledged but not aggregated: \(missing.prefix(10))")
        print(
            "kill -9 then metricd: \(acknowledged.count) batches acknowledged, \(Int(counted)) measures aggregated"
        )
    }
}
