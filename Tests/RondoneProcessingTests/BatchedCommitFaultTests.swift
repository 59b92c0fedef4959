import Foundation
import RondoneProcessing
import RondoneStorage
import RondoneTesting
import RondoneTimeSeries
import Testing

/// A sack's metrics are committed together; a failure in the middle of that commit
/// (the write or its sync) must lose nothing once retried.
@Suite struct BatchedCommitFaultTests {
    static let t0: Int64 = 1_700_000_000_000_000_000
    static let second: Int64 = 1_000_000_000

    /// (operation, calls that succeed first). A commit of the aggregate log is one
    /// write and one fdatasync, and either failing leaves none of it applied.
    static let faults: [(FaultInjector.Operation, Int)] = [(.write, 0), (.sync, 0)]

    @Test(arguments: faults)
    func aFailedBatchedCommitIsRetriedToTheCleanResult(
        _ operation: FaultInjector.Operation, _ after: Int
    )
        async throws
    {
        let path =
            FileManager.default.temporaryDirectory.path
            + "/rondone-processing-tests/batched-\(getpid())-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let faults = FaultInjector()
        var options = FileAggregateStore.Options()
        options.faults = faults
        let incoming = try FileIncomingStore(directory: path + "/incoming", options: .init(sacks: 1))
        let aggregates = try FileAggregateStore(directory: path + "/aggregate", options: options)
        defer {
            incoming.close()
            aggregates.close()
        }
        let policy = try policy([(1, 3600), (60, nil)], methods: ["count", "sum", "max"])
        var random = SplitMix64(seed: 31 + UInt64(after))
        let metrics = (0..<40).map { _ in random.metric() }
        let metricd = Metricd(
            incoming: incoming, aggregates: aggregates,
            catalog: InMemoryMetricCatalog(Dictionary(uniqueKeysWithValues: metrics.map { ($0, policy) }))
        )
        var models = Dictionary(uniqueKeysWithValues: metrics.map { ($0, EngineModel(policy: policy)) })

        // Two rounds, so the failing one replaces splits and buffers that exist.
        for round in 0..<2 {
            var batches: [IncomingBatch] = []
            for metric in metrics {
                let first = Self.t0 + Int64(round * 90 + Int(random.next() % 20)) * Self.second
                let timestamps = (0..<100).map { first + Int64($0) * Self.second }
                let values = timestamps.map { _ in Double(random.next() % 1000) / 10 }
                batches.append(IncomingBatch(metric: metric, timestamps: timestamps, values: values))
                models[metric]!.process(MeasureBatch(timestamps: timestamps, values: values))
            }
            try await incoming.add(batches)
            if round == 1 {
                faults.fail(operation, errno: EIO, after: after)
                #expect(await metricd.process(sack: 0) == .released)
                #expect(metricd.counters.snapshot().errors == 1)
                #expect(try await incoming.backlogSummary().batches == 40)
                faults.clear()
            }
            #expect(await metricd.process(sack: 0) == .processed(metrics: 40))
        }
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
