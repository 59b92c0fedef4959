import RondoneTimeSeries

/// Names one split of an aggregated series: which aggregation, at which granularity,
/// and the split's key (the timestamp its time range starts at).
/// The splits of one metric, method and granularity whose keys lie between `first`
/// and `last` (inclusive; nil: unbounded), for ``AggregateStore/splits(in:)``.
public struct SplitRange: Hashable, Sendable {
    public var metric: MetricID
    public var aggregation: String
    public var granularity: TimeDelta
    public var first: Timestamp?
    public var last: Timestamp?

    /// How many ranges the default ``AggregateStore/splits(in:)`` reads at once.
    public static let concurrentReads = 16

    public init(
        metric: MetricID, aggregation: String, granularity: TimeDelta, first: Timestamp?, last: Timestamp?
    ) {
        self.metric = metric
        self.aggregation = aggregation
        self.granularity = granularity
        self.first = first
        self.last = last
    }

    /// Whether `key` lies in the range.
    public func contains(_ key: Timestamp) -> Bool {
        (first.map { key >= $0 } ?? true) && (last.map { key <= $0 } ?? true)
    }
}

/// One stored split: its key and its bytes.
public struct SplitBlob: Sendable {
    public var key: Timestamp
    public var bytes: [UInt8]

    public init(key: Timestamp, bytes: [UInt8]) {
        self.key = key
        self.bytes = bytes
    }
}

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

    /// Refuses an aggregation name no store may hold, the same for every driver: empty,
    /// `.` or `..`, longer than 255 bytes, or holding `/` or NUL (they were file names
    /// in the first layout, and are stored with a one-byte length now).
    ///
    /// - Throws: `StorageError.invalidName`.
    public static func checkAggregationName(_ aggregation: String) throws {
        guard !aggregation.isEmpty, aggregation != ".", aggregation != "..",
            aggregation.utf8.count <= SplitPack.maxNameLength,
            !aggregation.utf8.contains(where: { $0 == UInt8(ascii: "/") || $0 == 0 })
        else { throw StorageError.invalidName(aggregation) }
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
///   freed later (`pendingDeletions` counts what is still to free);
/// * `commit` makes many changes durable at once, with the ordering rule metricd's
///   crash safety rests on (see its documentation and docs/PROCESSING.md).
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

    /// Several splits of one metric: element `i` is what `split(keys[i], of:)` returns.
    /// A driver may read them together (a default reads them one by one).
    func splits(_ keys: [SplitAddress], of metric: MetricID) async throws -> [[UInt8]?]

    /// For each range, the metric's splits of that method and granularity whose keys
    /// lie in the range, ascending by key: what ``splitKeys(of:aggregation:granularity:)``
    /// and then ``splits(_:of:)`` answer, for many metrics in one call. A driver may
    /// read them together (the default reads ``SplitRange/concurrentReads`` ranges at a
    /// time).
    func splits(in ranges: [SplitRange]) async throws -> [[SplitBlob]]

    /// Applies the changes of many metrics, durably, when it returns.
    ///
    /// Every blob is replaced atomically (old or new, never partial), and for each
    /// metric the **buffer is replaced only after every split change of the whole
    /// commit is durable**: after a failure or a crash at any point, a metric whose
    /// stored buffer is the new one has all of its new splits. That is what lets
    /// metricd redo a step from the stored buffer (docs/PROCESSING.md). On a throw,
    /// any subset of the changes may have been applied, each blob whole.
    func commit(_ changes: [MetricChanges]) async throws

    /// ``commit(_:)`` under the leases of the sacks the changes come from: a store
    /// shared between processes applies nothing unless every lease is still its
    /// sack's current one when the commit takes effect, and then throws
    /// ``StorageError/leaseLost(_:)``. A store with one owner process ignores the
    /// fence (the default).
    func commit(_ changes: [MetricChanges], fencedBy leases: [SackLease]) async throws

    /// Removes everything stored for the metric.
    func deleteMetric(_ metric: MetricID) async throws

    /// Deleted metrics whose space is not freed yet.
    func pendingDeletions() async throws -> Int
}
