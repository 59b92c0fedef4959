/// Aggregates of one split to write: the storage layer reads the stored split at
/// ``key`` (if any), merges these points into it with `Series.merging(newer:)`,
/// encodes and writes it back (Gnocchi's WRITE_FULL update).
public struct SplitWrite: Sendable, Equatable {
    public var aggregation: PolicyAggregation
    public var key: SplitKey
    /// The freshly computed aggregates falling in this split.
    public var points: Series
}

/// A stored split, named by its aggregate series and key.
public struct SplitRef: Hashable, Sendable {
    public var aggregation: PolicyAggregation
    public var key: SplitKey
}

/// A retention clean-up: every stored split of ``aggregation`` whose key is before
/// ``oldestKeyToKeep`` must be deleted. It is only emitted when the buffer's first
/// block moved into a new split (Gnocchi lists stored keys only then), so the storage
/// layer lists keys only for these.
public struct SplitPrune: Sendable, Equatable {
    public var aggregation: PolicyAggregation
    public var oldestKeyToKeep: SplitKey

    /// The keys among `existing` to delete.
    public func keysToDelete(from existing: [SplitKey]) -> [SplitKey] {
        existing.filter { $0 < oldestKeyToKeep }.sorted()
    }
}

/// Everything processing one batch changes for a metric.
public struct MetricUpdate: Sendable, Equatable {
    /// The new unaggregated buffer to store (sorted raw points, truncated).
    public var buffer: Series
    /// Aggregates to merge into their splits, by ascending granularity then method.
    public var splitsToWrite: [SplitWrite]
    /// Retention clean-ups to apply to the stored split keys.
    public var splitsToPrune: [SplitPrune]

    /// The splits to delete given the stored keys of each aggregate series.
    public func splitsToDelete(existingKeys: [PolicyAggregation: [SplitKey]]) -> [SplitRef] {
        splitsToPrune.flatMap { prune in
            prune.keysToDelete(from: existingKeys[prune.aggregation] ?? []).map {
                SplitRef(aggregation: prune.aggregation, key: $0)
            }
        }
    }
}

extension ArchivePolicy {
    /// The pure part of Gnocchi 4.7's metricd step for one metric (storage
    /// `execute_data_processing` + `_compute_split_operations`, WRITE_FULL mode).
    ///
    /// The batch joins the buffer (see ``BoundTimeSeries``); every aggregate is then
    /// recomputed from `floor(max(buffer.first, batch.first), granularity)` on the
    /// merged, untruncated buffer; each aggregate series is truncated to its timespan
    /// and cut into splits.
    ///
    /// One Gnocchi quirk is not copied: Gnocchi files each series' oldest point to
    /// keep under its granularity only, so all methods of a granularity use whichever
    /// method its set iteration visited last (random per process). Here each series
    /// uses its own, the evident intent; results differ only when the methods of one
    /// granularity end at different times (e.g. `std` skipping a one-point period).
    ///
    /// - Parameters:
    ///   - buffer: the metric's stored raw points, nil (or empty) if never processed.
    ///   - batch: the new measures; an empty batch changes nothing.
    public func process(buffer: Series?, batch: MeasureBatch) -> MetricUpdate {
        let stored = buffer ?? Series()
        guard !batch.isEmpty, maxBlockSize.nanoseconds > 0 else {
            return MetricUpdate(buffer: stored, splitsToWrite: [], splitsToPrune: [])
        }
        var bound = BoundTimeSeries(series: stored, blockSize: maxBlockSize, backWindow: bufferBackWindow)
        let previousFirstBlock = bound.firstBlockTimestamp
        let batchFirst = batch.series.timestamps[0]
        let (writes, prunes) = bound.add(batch) { merged in
            // The merged buffer is never empty here: the batch was not.
            let mergedFirst = merged.series.timestamps.first ?? batchFirst
            let from = Timestamp(nanoseconds: max(mergedFirst, batchFirst))
            return splitOperations(
                merged: merged.series, from: from,
                previousFirstBlock: previousFirstBlock, newFirstBlock: merged.firstBlockTimestamp)
        }
        return MetricUpdate(buffer: bound.series, splitsToWrite: writes, splitsToPrune: prunes)
    }

    private func splitOperations(
        merged: Series, from: Timestamp, previousFirstBlock: Timestamp?, newFirstBlock: Timestamp?
    ) -> ([SplitWrite], [SplitPrune]) {
        var writes: [SplitWrite] = []
        var prunes: [SplitPrune] = []
        // Built once (the property sorts and allocates), and results kept by position:
        // this runs for every metric processed.
        let targets = aggregations
        var computed = [Series?](repeating: nil, count: targets.count)
        var start = 0
        while start < targets.count {
            // Every method of one granularity (adjacent: sorted by granularity) shares one
            // grouping pass.
            let granularity = targets[start].granularity
            var end = start + 1
            while end < targets.count && targets[end].granularity == granularity { end += 1 }
            let results = aggregate(
                merged, granularity: granularity, start: from.floored(to: granularity),
                aggregations: targets[start..<end].map(\.aggregation))
            for (offset, series) in results.enumerated() { computed[start + offset] = series }
            start = end
        }
        for (position, target) in targets.enumerated() {
            let granularity = target.granularity
            guard var points = computed[position], let first = points.first else { continue }
            let oldestPoint = target.timespan.flatMap { points.truncate(timespan: $0) }
            let oldestKeyToKeep = SplitKey(containing: oldestPoint ?? first, granularity: granularity)
            // Gnocchi tests the previous first block for truthiness: the epoch itself
            // counts as "no previous buffer".
            if target.timespan != nil, let previous = previousFirstBlock, previous != .epoch,
                let current = newFirstBlock,
                SplitKey(containing: previous, granularity: granularity)
                    != SplitKey(containing: current, granularity: granularity)
            {
                prunes.append(SplitPrune(aggregation: target, oldestKeyToKeep: oldestKeyToKeep))
            }
            for (key, split) in points.splits(granularity: granularity) where key >= oldestKeyToKeep {
                writes.append(SplitWrite(aggregation: target, key: key, points: split))
            }
        }
        return (writes, prunes)
    }
}
