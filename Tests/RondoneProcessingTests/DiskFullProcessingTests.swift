import Foundation
import RondoneProcessing
import RondoneStorage
import RondoneTesting
import RondoneTimeSeries
import Synchronization
import Testing

/// metricd on a full disk (Rondone's): the refused commits release their claims (every
/// measure stays waiting), the episode is logged once, the workers back off instead of
/// retrying at their processing delay, and processing resumes by itself when space
/// comes back, to the same result as without the fault.
@Suite struct DiskFullProcessingTests {
    /// What metricd logged.
    final class Lines: Sendable {
        private let lines = Mutex<[String]>([])
        func append(_ line: String) { lines.withLock { $0.append(line) } }
        var all: [String] { lines.withLock { $0 } }
    }

    static let t0: Int64 = 1_700_000_000_000_000_000
    static let second: Int64 = 1_000_000_000

    @Test func metricdBacksOffLogsOnceAndRecoversByItself() async throws {
        let path =
            FileManager.default.temporaryDirectory.path
            + "/rondone-processing-tests/disk-full-\(getpid())-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let faults = FaultInjector()
        var options = FileAggregateStore.Options()
        options.faults = faults
        let incoming = try FileIncomingStore(directory: path + "/incoming", options: .init(sacks: 2))
        let aggregates = try FileAggregateStore(directory: path + "/aggregate", options: options)
        defer {
            incoming.close()
            aggregates.close()
        }
        let policy = try policy([(1, 3600), (60, nil)], methods: ["count", "mean"])
        var random = SplitMix64(seed: 19)
        let metrics = (0..<6).map { _ in random.metric() }
        let lines = Lines()
        let metricd = Metricd(
            incoming: incoming, aggregates: aggregates,
            catalog: InMemoryMetricCatalog(Dictionary(uniqueKeysWithValues: metrics.map { ($0, policy) })),
            options: .init(processingDelay: .milliseconds(20)),
            log: { line in lines.append(line) })
        var models = Dictionary(uniqueKeysWithValues: metrics.map { ($0, EngineModel(policy: policy)) })
        var batches: [IncomingBatch] = []
        for metric in metrics {
            let timestamps = (0..<200).map { Self.t0 + Int64($0) * Self.second }
            let values = timestamps.map { _ in Double(random.next() % 1000) }
            batches.append(IncomingBatch(metric: metric, timestamps: timestamps, values: values))
            models[metric]!.process(MeasureBatch(timestamps: timestamps, values: values))
        }
        try await incoming.add(batches)

        faults.fail(.write, errno: ENOSPC, times: 1_000_000)
        try await metricd.start(workers: 2)
        // New measures wake the workers; the back-off must not be cut short by them.
        for _ in 0..<20 {
            metricd.wake()
            try await Task.sleep(for: .milliseconds(150))
        }
        let errors = metricd.counters.snapshot().errors
        #expect(errors >= 1)
        // At the 20 ms processing delay two workers would have failed about 150 times in
        // 3 s; backing off (1 s, 2 s, …) they fail a handful.
        #expect(errors <= 12, "\(errors) failed attempts in 3 s")
        #expect(try await incoming.backlogSummary().measures == 1200)
        let episode = lines.all.filter { $0.contains("Disk full") }
        #expect(episode.count == 1, "\(lines.all)")
        #expect(episode.first?.contains("no space left on device for \(path)/aggregate") == true)
        #expect(!lines.all.contains { $0.contains("No space left on device") })

        faults.clear()
        #expect(
            try await eventually(seconds: 15) { try await incoming.backlogSummary().measures == 0 },
            "processing did not resume by itself")
        await metricd.stop()
        #expect(lines.all.contains { $0.contains("Disk space is back: processing resumed") })
        for metric in metrics {
            for target in policy.aggregations {
                let stored = try await metricd.processor.readAggregates(
                    metric: metric, policy: policy, aggregation: target.aggregation,
                    granularity: target.granularity)
                #expect(stored == models[metric]!.series(target), "\(metric) \(target)")
            }
        }
    }
}
