import RondoneStorage
import RondoneTimeSeries

/// Receives one line per notable event (corrupt data found, a failed step).
public typealias ProcessingLog = @Sendable (String) -> Void

/// The metricd step for one metric: new measures in, updated splits and buffer out.
///
/// Guarantees:
/// * the result equals the engine's `ArchivePolicy.process` on the stored buffer and
///   the batch, merged into the stored splits (`Series.merging(newer:)`);
/// * the buffer is written **last**: if anything fails or the process dies before,
///   the stored buffer is the old one and the claim is not completed, so the same
///   measures are processed again from the same state, which rewrites the same
///   splits (the step is idempotent); see docs/PROCESSING.md;
/// * a buffer or split that fails to decode never stops processing: it is counted,
///   logged and treated as absent, as Gnocchi 4.7 does (a corrupt buffer starts anew,
///   a corrupt split is replaced by the new aggregates).
public struct MetricProcessor: Sendable {
    /// Where buffers and splits live.
    public let aggregates: any AggregateStore
    /// Shared counters (corrupt records found here are counted there).
    public let counters: ProcessingCounters
    let log: ProcessingLog

    public init(
        aggregates: any AggregateStore, counters: ProcessingCounters = ProcessingCounters(),
        log: @escaping ProcessingLog = { _ in }
    ) {
        self.aggregates = aggregates
        self.counters = counters
        self.log = log
    }

    /// Aggregates `measures` (every waiting batch of the metric, concatenated in
    /// arrival order) into the metric's stored data.
    ///
    /// - Throws: storage errors only; nothing is half-applied in a way a retry of the
    ///   same measures would not repair.
    public func process(metric: MetricID, policy: ArchivePolicy, measures: IncomingBatch) async throws {
        let batch = MeasureBatch(timestamps: measures.timestamps, values: measures.values)
        try await process(metric: metric, policy: policy, batch: batch)
    }

    /// The same step for a batch already in the engine's order.
    public func process(metric: MetricID, policy: ArchivePolicy, batch: MeasureBatch) async throws {
        guard !batch.isEmpty else { return }
        let stored = try await readBuffer(of: metric)
        let update = policy.process(buffer: stored, batch: batch)
        // Splits are independent files: write them concurrently so their fsyncs overlap.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for write in update.splitsToWrite {
                group.addTask { try await self.mergeSplit(write, of: metric) }
            }
            try await group.waitForAll()
        }
        for prune in update.splitsToPrune {
            let address = Self.address(prune.aggregation, key: prune.oldestKeyToKeep)
            let existing = try await aggregates.splitKeys(
                of: metric, aggregation: address.aggregation, granularity: address.granularity)
            let keys = existing.map { SplitKey(timestamp: $0, granularity: address.granularity) }
            for key in prune.keysToDelete(from: keys) {
                try await aggregates.deleteSplit(Self.address(prune.aggregation, key: key), of: metric)
            }
        }
        // Last: the buffer is what tells a retry where processing stood.
        try await aggregates.putBuffer(RawSeriesCodec.encode(update.buffer), for: metric)
    }

    /// Removes everything stored for a metric that no longer exists.
    public func dropAggregates(of metric: MetricID) async throws {
        try await aggregates.deleteMetric(metric)
    }

    /// The storage address of a split of `aggregation`.
    static func address(_ aggregation: PolicyAggregation, key: SplitKey) -> SplitAddress {
        SplitAddress(
            aggregation: aggregation.aggregation.name, granularity: key.granularity, key: key.timestamp)
    }

    private func readBuffer(of metric: MetricID) async throws -> Series? {
        guard let bytes = try await aggregates.buffer(of: metric) else { return nil }
        do {
            return try RawSeriesCodec.decode(bytes)
        } catch {
            counters.corruptBuffer()
            log("Data corruption detected for \(metric) unaggregated timeserie, creating a new one: \(error)")
            return nil
        }
    }

    private func mergeSplit(_ write: SplitWrite, of metric: MetricID) async throws {
        let address = Self.address(write.aggregation, key: write.key)
        let existing = try await readSplit(address, of: metric) ?? Series()
        let merged = existing.merging(newer: write.points)
        let bytes = SplitCodec.encode(
            merged, splitStart: address.key.nanoseconds, granularity: address.granularity.nanoseconds)
        try await aggregates.putSplit(bytes, address, for: metric)
    }

    /// A stored split, nil if absent or corrupt (corruption is counted and logged).
    func readSplit(_ address: SplitAddress, of metric: MetricID) async throws -> Series? {
        guard let bytes = try await aggregates.split(address, of: metric) else { return nil }
        do {
            return try SplitCodec.decode(
                bytes, splitStart: address.key.nanoseconds, granularity: address.granularity.nanoseconds)
        } catch {
            counters.corruptSplit()
            log(
                "Data corruption detected for \(metric) aggregated `\(address.aggregation)' timeserie, "
                    + "granularity `\(address.granularity.seconds)' around time `\(address.key.nanoseconds)', "
                    + "ignoring: \(error)")
            return nil
        }
    }
}
