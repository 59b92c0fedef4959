import RondoneTimeSeries

/// Measures posted for one metric, in the order the client sent them: a metric and its
/// ``Measures``, the one raw measures type every producer builds, so a batch takes a
/// producer's measures without copying them column by column.
///
/// Not a `Series`: incoming measures may be unsorted and repeat timestamps; the
/// processing step sorts and merges them into the metric's unaggregated buffer.
public struct IncomingBatch: Equatable, Sendable {
    public var metric: MetricID
    /// The measures, in arrival order.
    public var measures: Measures

    /// A batch of `measures` for `metric`.
    public init(metric: MetricID, measures: Measures) {
        self.metric = metric
        self.measures = measures
    }

    /// A batch from two columns. Unlike ``Measures/init(timestamps:values:)`` it takes
    /// columns of different lengths, so a store's check (`StorageError.mismatchedLengths`)
    /// stays reachable from a caller's bug instead of trapping here.
    public init(metric: MetricID, timestamps: [Int64], values: [Double]) {
        self.metric = metric
        self.measures = Measures()
        self.measures.timestamps = timestamps
        self.measures.values = values
    }

    /// Nanoseconds since the epoch, one per value (the measures' column, in place).
    public var timestamps: [Int64] {
        get { measures.timestamps }
        _modify { yield &measures.timestamps }
    }

    /// One value per time stamp (the measures' column, in place).
    public var values: [Double] {
        get { measures.values }
        _modify { yield &measures.values }
    }
}

/// What waits in a sack for one metric.
public struct PendingCount: Equatable, Sendable {
    /// Accepted POST bodies (Gnocchi's `/v1/status` counts these as "measures").
    public var batches: Int
    /// Individual points.
    public var measures: Int

    public init(batches: Int, measures: Int) {
        self.batches = batches
        self.measures = measures
    }
}

/// The processing backlog of a store: per sack, what waits.
public struct BacklogSummary: Equatable, Sendable {
    /// For each sack number, the metrics with measures waiting and the totals.
    public var sacks: [SackTotals]

    public init(sacks: [SackTotals]) { self.sacks = sacks }

    /// Totals of one sack.
    public struct SackTotals: Equatable, Sendable {
        public var metrics: Int
        public var batches: Int
        public var measures: Int

        public init(metrics: Int, batches: Int, measures: Int) {
            self.metrics = metrics
            self.batches = batches
            self.measures = measures
        }
    }

    /// Metrics with measures waiting, over all sacks.
    public var metrics: Int { sacks.reduce(0) { $0 + $1.metrics } }
    /// Batches waiting, over all sacks (Gnocchi's `summary.measures`).
    public var batches: Int { sacks.reduce(0) { $0 + $1.batches } }
    /// Points waiting, over all sacks.
    public var measures: Int { sacks.reduce(0) { $0 + $1.measures } }
}

/// Measures taken out of a sack for processing, not yet removed from the store.
///
/// The measures stay stored until `IncomingStore.complete(_:)` is called with this
/// claim, which removes exactly what the claim returned, however many measures arrived
/// meanwhile. If the process dies before that, the measures are returned again by the
/// next claim: processing is idempotent on the same timestamps, so doing it twice is
/// harmless, while never doing it would lose data.
public struct IncomingClaim: Sendable {
    /// The sack the claim was taken from.
    public let sack: Int
    /// The one metric claimed, or nil for a claim of the whole sack.
    public let metric: MetricID?
    /// Per metric, its waiting measures in arrival order (batches concatenated).
    public let measures: [MetricID: IncomingBatch]
    /// Identifies the claim to the store that issued it.
    package let token: UInt64

    package init(sack: Int, metric: MetricID?, measures: [MetricID: IncomingBatch], token: UInt64) {
        self.sack = sack
        self.metric = metric
        self.measures = measures
        self.token = token
    }
}

/// Where measures wait, durably, between a POST and their processing.
///
/// Guarantees every driver keeps (checked by the shared contract test-suite):
/// * `add` returns only once the measures are durable (they survive `kill -9` and
///   power loss); if it throws, the caller must assume nothing was stored, although
///   a part may have been (a retry then re-posts the same timestamps, which is harmless).
/// * Metrics are spread over `sackCount` sacks by `MetricID.sack(among:)`.
/// * A claim returns each waiting measure once; `complete` removes exactly the claimed
///   measures; measures added during a claim wait for the next one.
/// * A sack has at most one outstanding claim (metricd owns a sack through the
///   coordinator, so a second claim is a bug and fails with `.claimOutstanding`).
public protocol IncomingStore: Sendable {
    /// The number of sacks (fixed when the store is created; Gnocchi's default is 128).
    var sackCount: Int { get }

    /// Stores the batches durably; returns when they are on stable storage.
    func add(_ batches: [IncomingBatch]) async throws

    /// Per metric of `sack`, what waits.
    func backlog(sack: Int) async throws -> [MetricID: PendingCount]

    /// Per sack, what waits.
    func backlogSummary() async throws -> BacklogSummary

    /// Takes everything waiting in `sack` for processing.
    func claim(sack: Int) async throws -> IncomingClaim

    /// Takes what waits for one metric (for `?refresh=true`).
    func claim(metric: MetricID) async throws -> IncomingClaim

    /// Removes the claimed measures for good (after they were processed).
    func complete(_ claim: IncomingClaim) async throws

    /// Gives a claim up: its measures stay waiting for the next claim.
    func release(_ claim: IncomingClaim) async

    /// Drops whatever waits for `metric` (the metric is being deleted).
    func deleteUnprocessed(metric: MetricID) async throws
}

extension IncomingStore {
    /// Stores one batch durably.
    public func add(_ batch: IncomingBatch) async throws {
        try await add([batch])
    }

    /// Whether anything waits for `metric`.
    public func hasUnprocessed(metric: MetricID) async throws -> Bool {
        try await backlog(sack: metric.sack(among: sackCount))[metric] != nil
    }

    /// Gnocchi's name for a sack: `incoming<total>-<number>`.
    public func sackName(_ sack: Int) -> String {
        "incoming\(sackCount)-\(sack)"
    }
}
