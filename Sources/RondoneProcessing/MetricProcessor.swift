import RondoneStorage
import RondoneTimeSeries

/// Receives one line per notable event (corrupt data found, a failed step).
public typealias ProcessingLog = @Sendable (String) -> Void

/// The metricd step for one metric: new measures in, updated splits and buffer out.
///
/// Guarantees:
/// * the result equals the engine's `ArchivePolicy.process` on the stored buffer and
///   the batch, merged into the stored splits (`Series.merging(newer:)`);
/// * the buffer is written **last** (`AggregateStore.commit` replaces a buffer only
///   once every split change is durable): if anything fails or the process dies
///   before, the stored buffer is the old one and the claim is not completed, so the
///   same measures are processed again from the same state, which rewrites the same
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
        guard let changes = try await changes(metric: metric, policy: policy, batch: batch) else { return }
        try await aggregates.commit([changes])
    }

    /// What the step would write for `batch`, computed from the stored buffer and
    /// splits but not written: metricd commits the changes of many metrics at once.
    /// Nil when the batch is empty (nothing changes).
    public func changes(metric: MetricID, policy: ArchivePolicy, batch: MeasureBatch) async throws
        -> MetricChanges?
    {
        guard !batch.isEmpty else { return nil }
        let stored = try await readBuffer(of: metric)
        let update = policy.process(buffer: stored, batch: batch)
        var changes = MetricChanges(metric: metric)
        let addresses = update.splitsToWrite.map { SplitAddress($0.aggregation, key: $0.key) }
        let existing = try await aggregates.splits(addresses, of: metric)
        for (index, write) in update.splitsToWrite.enumerated() {
            let address = addresses[index]
            let old = decodeSplit(existing[index], address, of: metric) ?? Series()
            changes.splits[address] = SplitCodec.encode(
                old.merging(newer: write.points), splitStart: address.key.nanoseconds,
                granularity: address.granularity.nanoseconds)
        }
        for prune in update.splitsToPrune {
            let granularity = prune.oldestKeyToKeep.granularity
            let name = prune.aggregation.aggregation.name
            // Keys written by this step count too, as they would once written.
            var keys = Set(
                try await aggregates.splitKeys(of: metric, aggregation: name, granularity: granularity)
                    .map { SplitKey(timestamp: $0, granularity: granularity) })
            for write in update.splitsToWrite where write.aggregation == prune.aggregation {
                keys.insert(write.key)
            }
            for key in prune.keysToDelete(from: Array(keys)) {
                changes.deletedSplits.append(SplitAddress(prune.aggregation, key: key))
            }
        }
        // Committed after every split change is durable (the store's ordering rule):
        // the buffer is what tells a retry where processing stood.
        changes.buffer = RawSeriesCodec.encode(update.buffer)
        return changes
    }

    /// Removes everything stored for a metric that no longer exists.
    public func dropAggregates(of metric: MetricID) async throws {
        try await aggregates.deleteMetric(metric)
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

    /// Decodes a stored split; nil if absent or corrupt (corruption is counted and logged).
    func decodeSplit(_ bytes: [UInt8]?, _ address: SplitAddress, of metric: MetricID) -> Series? {
        guard let bytes else { return nil }
        do throws(CorruptSplit) {
            return try address.decode(bytes, of: metric)
        } catch {
            counters.corruptSplit()
            log(error.description)
            return nil
        }
    }
}
