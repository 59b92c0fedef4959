import Foundation
import RondoneProcessing
import RondoneQuery
import RondoneStorage
import RondoneTesting
import RondoneTimeSeries

/// Processing-specific draws from the seeded generator.
extension SplitMix64 {
    mutating func metric() -> MetricID { MetricID(high: next(), low: next()) }
}

/// A temporary data directory with an incoming and an aggregate file store in it.
final class ProcessingFixture: @unchecked Sendable {
    let path: String
    var incoming: FileIncomingStore
    var aggregates: FileAggregateStore
    let sacks: Int

    init(_ label: String, sacks: Int = 8, path: String? = nil) throws {
        let base = FileManager.default.temporaryDirectory.path + "/rondone-processing-tests"
        self.path = path ?? base + "/\(label)-\(getpid())-\(UUID().uuidString)"
        self.sacks = sacks
        try FileManager.default.createDirectory(atPath: self.path, withIntermediateDirectories: true)
        incoming = try FileIncomingStore(directory: self.path + "/incoming", options: .init(sacks: sacks))
        aggregates = try FileAggregateStore(directory: self.path + "/aggregate")
    }

    /// Closes and reopens both stores (as a restart would).
    func reopen() throws {
        incoming.close()
        aggregates.close()
        incoming = try FileIncomingStore(directory: path + "/incoming", options: .init(sacks: sacks))
        aggregates = try FileAggregateStore(directory: path + "/aggregate")
    }

    func remove() {
        incoming.close()
        aggregates.close()
        try? FileManager.default.removeItem(atPath: path)
    }

    func metricd(
        catalog: any MetricCatalog, options: Metricd.Options = .init(processingDelay: .milliseconds(50)),
        log: @escaping ProcessingLog = { _ in }
    ) -> Metricd {
        Metricd(incoming: incoming, aggregates: aggregates, catalog: catalog, options: options, log: log)
    }
}

/// A policy from (granularity s, timespan s) pairs; nil timespan keeps everything.
func policy(
    _ items: [(Int64, Int64?)], methods: [String], backWindow: Int = 0, granularityUnit: Int64 = 1_000_000_000
) throws -> ArchivePolicy {
    try ArchivePolicy(
        name: "h-proc-test", backWindow: backWindow,
        definition: items.map {
            try ArchivePolicyItem(
                granularity: TimeDelta(nanoseconds: $0.0 * granularityUnit),
                timespan: $0.1.map { TimeDelta(nanoseconds: $0 * granularityUnit) })
        },
        aggregationMethods: methods)
}

/// What the engine alone gives for a sequence of batches (each one metricd step):
/// the splits held in memory, merged as the processor merges them on disk.
struct EngineModel {
    let policy: ArchivePolicy
    var buffer: Series?
    var splits: [PolicyAggregation: [SplitKey: Series]] = [:]

    init(policy: ArchivePolicy) { self.policy = policy }

    mutating func process(_ batch: MeasureBatch) {
        let update = policy.process(buffer: buffer, batch: batch)
        for write in update.splitsToWrite {
            let old = splits[write.aggregation]?[write.key] ?? Series()
            splits[write.aggregation, default: [:]][write.key] = old.merging(newer: write.points)
        }
        for prune in update.splitsToPrune {
            let keys = splits[prune.aggregation].map { Array($0.keys) } ?? []
            for key in prune.keysToDelete(from: keys) { splits[prune.aggregation]?[key] = nil }
        }
        buffer = update.buffer
    }

    /// The series as `readAggregates` returns it without bounds.
    func series(_ aggregation: PolicyAggregation) -> Series {
        var result = Series()
        for (_, split) in (splits[aggregation] ?? [:]).sorted(by: { $0.key < $1.key }) {
            result.timestamps += split.timestamps
            result.values += split.values
        }
        if let timespan = aggregation.timespan { result.truncate(timespan: timespan) }
        return result
    }
}

/// Polls `condition` every 10 ms for up to `seconds`.
func eventually(seconds: Double = 20, _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + .seconds(seconds)
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return try await condition()
}

/// The sum of a series' values.
func total(_ series: Series) -> Double { series.values.reduce(0, +) }

extension MetricProcessor {
    /// What is stored, read by the one reader the API uses; corrupt splits it finds are
    /// counted in this processor's counters, as the server wires them.
    func readAggregates(
        metric: MetricID, policy: ArchivePolicy, aggregation: Aggregation, granularity: TimeDelta,
        from: Timestamp? = nil, to: Timestamp? = nil
    ) async throws -> Series {
        let counters = self.counters
        let reader = SeriesReader(aggregates: aggregates, onCorruptSplit: { _ in counters.corruptSplit() })
        return try await reader.read(
            metric: metric, policy: policy, aggregation: aggregation, granularity: granularity, from: from,
            to: to)
    }
}
