/// The unaggregated buffer of a metric: the raw points still needed to recompute the
/// aggregates that new measures can touch (Gnocchi's `BoundTimeSerie`).
///
/// Time is cut into blocks of ``blockSize`` (the policy's coarsest granularity). The
/// buffer keeps the block of its newest point plus ``backWindow`` blocks before it;
/// measures older than that are dropped on arrival, exactly where Gnocchi drops them:
///
/// * the cut uses the buffer as it was *before* the batch (so a batch that moves time
///   forward still keeps its own older points, until truncation);
/// * an empty buffer accepts everything, then truncates;
/// * on a shared time stamp the new batch's value replaces the buffered one.
public struct BoundTimeSeries: Sendable, Equatable {
    /// The raw points, sorted, one per time stamp.
    public private(set) var series: Series
    /// Length of a block; > 0.
    public let blockSize: TimeDelta
    /// Number of whole blocks kept before the newest point's block.
    public let backWindow: Int

    /// A buffer holding `series` (already within bounds, e.g. as read from storage).
    public init(series: Series = Series(), blockSize: TimeDelta, backWindow: Int) {
        precondition(blockSize.nanoseconds > 0, "BUG: block size must be positive")
        self.series = series
        self.blockSize = blockSize
        self.backWindow = backWindow
    }

    /// The oldest time stamp the buffer keeps and accepts: the newest point's block
    /// start, minus `backWindow` blocks (nil when empty). Saturates instead of
    /// overflowing for absurd back windows (which then keep everything).
    public var firstBlockTimestamp: Timestamp? {
        guard let last = series.last else { return nil }
        let rounded = last.floored(to: blockSize).nanoseconds
        let back = blockSize.nanoseconds.multipliedReportingOverflow(by: Int64(backWindow))
        if back.overflow { return Timestamp(nanoseconds: .min) }
        let first = rounded.subtractingReportingOverflow(back.partialValue)
        return Timestamp(nanoseconds: first.overflow ? .min : first.partialValue)
    }

    /// Adds a batch (Gnocchi's `set_values`): drops points before the current
    /// ``firstBlockTimestamp``, merges the rest (new values win), calls `beforeTruncate`
    /// with the merged, not yet truncated buffer (metricd aggregates at that moment),
    /// then truncates to the new first block.
    public mutating func add<Result>(
        _ batch: MeasureBatch, beforeTruncate: (BoundTimeSeries) throws -> Result
    ) rethrows -> Result {
        var accepted = batch.series
        if let first = firstBlockTimestamp {
            let cut = accepted.lowerBound(first.nanoseconds)
            if cut > 0 { accepted = accepted.slice(cut..<accepted.count) }
        }
        series = series.merging(newer: accepted)
        let result = try beforeTruncate(self)
        truncate()
        return result
    }

    /// Adds a batch without looking at the intermediate state.
    public mutating func add(_ batch: MeasureBatch) {
        add(batch) { _ in () }
    }

    /// Drops every point before ``firstBlockTimestamp``.
    public mutating func truncate() {
        guard let first = firstBlockTimestamp else { return }
        let cut = series.lowerBound(first.nanoseconds)
        if cut > 0 { series = series.slice(cut..<series.count) }
    }
}
