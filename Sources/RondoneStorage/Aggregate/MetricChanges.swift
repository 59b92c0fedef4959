/// What one metricd step changes in a metric's stored data, handed to
/// `AggregateStore.commit` together with the changes of other metrics.
///
/// A split named both in `splits` and in `deletedSplits` ends deleted (writes are
/// applied before deletions, as a step writes its splits before pruning old ones).
public struct MetricChanges: Sendable, Equatable {
    /// The metric whose data changes.
    public var metric: MetricID
    /// Splits to write, with their new content (the whole blob, not a delta).
    public var splits: [SplitAddress: [UInt8]]
    /// Splits to delete (deleting an absent split is not an error).
    public var deletedSplits: [SplitAddress]
    /// The new unaggregated buffer, nil to leave the stored one as it is.
    public var buffer: [UInt8]?

    public init(
        metric: MetricID, splits: [SplitAddress: [UInt8]] = [:], deletedSplits: [SplitAddress] = [],
        buffer: [UInt8]? = nil
    ) {
        self.metric = metric
        self.splits = splits
        self.deletedSplits = deletedSplits
        self.buffer = buffer
    }

    /// Bytes of blobs to write, to bound the memory one commit holds.
    public var byteCount: Int {
        splits.values.reduce(buffer?.count ?? 0) { $0 + $1.count }
    }

    /// Whether committing it would change nothing.
    public var isEmpty: Bool { splits.isEmpty && deletedSplits.isEmpty && buffer == nil }
}
