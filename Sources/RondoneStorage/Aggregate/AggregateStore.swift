import RondoneTimeSeries

/// Names one split of an aggregated series: which aggregation, at which granularity,
/// and the split's key (the timestamp its time range starts at).
public struct SplitAddress: Hashable, Sendable {
    /// The aggregation method's name as Gnocchi spells it (`mean`, `rate:max`, `95pct`).
    public var aggregation: String
    public var granularity: TimeDelta
    public var key: Timestamp

    public init(aggregation: String, granularity: TimeDelta, key: Timestamp) {
        self.aggregation = aggregation
        self.granularity = granularity
        self.key = key
    }
}

/// Where a metric's processed data lives: its unaggregated buffer and its splits, as
/// opaque byte blobs that the engine's codec encodes (and checksums).
///
/// Guarantees every driver keeps (checked by the shared contract test-suite):
/// * a put is durable when it returns, and replaces the old blob atomically: a reader
///   sees the old blob or the new one, never a mix or a partial write;
/// * a failed put (full disk, I/O error) throws and leaves the old blob intact;
/// * a get returns exactly the bytes last put, or nil if none;
/// * `deleteMetric` makes the metric's blobs unreadable at once; the space may be
///   freed later (`pendingDeletions` counts what is still to free).
public protocol AggregateStore: Sendable {
    /// The metric's unaggregated buffer, nil if it has none.
    func buffer(of metric: MetricID) async throws -> [UInt8]?
    func putBuffer(_ bytes: [UInt8], for metric: MetricID) async throws
    func deleteBuffer(of metric: MetricID) async throws

    /// One split, nil if absent.
    func split(_ key: SplitAddress, of metric: MetricID) async throws -> [UInt8]?
    func putSplit(_ bytes: [UInt8], _ key: SplitAddress, for metric: MetricID) async throws
    func deleteSplit(_ key: SplitAddress, of metric: MetricID) async throws

    /// The keys of the metric's splits for one aggregation and granularity, ascending.
    func splitKeys(of metric: MetricID, aggregation: String, granularity: TimeDelta) async throws
        -> [Timestamp]

    /// Removes everything stored for the metric.
    func deleteMetric(_ metric: MetricID) async throws

    /// Deleted metrics whose space is not freed yet.
    func pendingDeletions() async throws -> Int
}
