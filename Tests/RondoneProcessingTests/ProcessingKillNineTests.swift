import Foundation
import RondoneProcessing
import RondoneStorage
import RondoneTimeSeries
import Testing

/// `kill -9` of a writer mid-ingest, then a restart and metricd over every sack: each
/// acknowledged measure is aggregated, exactly once.
@Suite struct ProcessingKillNineTests {
    /// The helper executable, built next to the test bundle by `swift build`/`swift test`.
    static let writer: String? = {
        let products = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [products, products.deletingLastPathComponent()] {
            let path = candidate.appendingPathComponent("rondone-fault-writer").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }()

    @Test func acknowledgedMeasuresAreAggregatedOnceAfterKill() async throws {
        let writer = try #require(Self.writer, "build the rondone-fault-writer product first")
        let batchSize = 20
        let base = FileManager.default.temporaryDirectory.path + "/rondone-processing-tests"
        let path = base + "/kill9-\(getpid())-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: writer)
        process.arguments = [path + "/incoming", "8", "\(batchSize)"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        var text = ""
        let deadline = ContinuousClock.now + .seconds(1)
        while ContinuousClock.now < deadline || !text.contains("ack 20\n") {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
            if ContinuousClock.now > deadline + .seconds(20) { break }
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        text += String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let acknowledged = text.split(separator: "\n").compactMap {
            $0.hasPrefix("ack ") ? Int($0.dropFirst(4)) : nil
        }
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
