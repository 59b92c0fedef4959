import RondoneTimeSeries

/// A metric a query reads, resolved by the caller from the index: its reference key
/// (the metric id as Gnocchi prints it, or in the resource mode the metric name pattern,
/// and the aggregation asked for), id and policy.
public struct ResolvedReference: Sendable {
    public var key: ReferenceKey
    public var metric: MetricID
    public var policy: ArchivePolicy
    /// In the resource mode of `/v1/aggregates`: the resource the metric belongs to and
    /// the metric's name, under which its result is listed.
    public var resource: ResourceOutput?

    public init(key: ReferenceKey, metric: MetricID, policy: ArchivePolicy, resource: ResourceOutput? = nil) {
        self.key = key
        self.metric = metric
        self.policy = policy
        self.resource = resource
    }

    /// How Gnocchi names the reference in granularity errors: the metric's name in the
    /// resource mode, its key otherwise.
    public var displayKey: ReferenceKey {
        resource.map { ReferenceKey(name: $0.metricName, aggregation: key.aggregation) } ?? key
    }
}

/// Where a resource-mode reference's result goes: `{resource id: {metric name: {aggregation: …}}}`.
public struct ResourceOutput: Sendable, Equatable {
    public var resourceID: String
    public var metricName: String

    public init(resourceID: String, metricName: String) {
        self.resourceID = resourceID
        self.metricName = metricName
    }
}

/// One series a query needs: a metric's aggregate at one granularity, between `from`
/// (rounded down to the granularity, inclusive) and `to` (exclusive), as Gnocchi's
/// `get_aggregated_measures` returns it.
public struct SeriesRequest: Sendable, Equatable {
    public var metric: MetricID
    public var policy: ArchivePolicy
    public var aggregation: Aggregation
    public var granularity: TimeDelta
    public var from: Timestamp?
    public var to: Timestamp?

    public init(
        metric: MetricID, policy: ArchivePolicy, aggregation: Aggregation, granularity: TimeDelta,
        from: Timestamp? = nil, to: Timestamp? = nil
    ) {
        self.metric = metric
        self.policy = policy
        self.aggregation = aggregation
        self.granularity = granularity
        self.from = from
        self.to = to
    }
}

/// How missing points of a series are filled before the operations run (`fill`).
public enum FillMode: Sendable, Equatable {
    /// `null`: NaN, kept in the output.
    case null
    /// `dropna` (the `/v1/aggregates` default): NaN, dropped from the output.
    case dropNaN
    /// `ffill`, `bfill`, `full_ffill` (forward then backward), `full_bfill`; what stays
    /// NaN is dropped from the output.
    case forward, backward, fullForward, fullBackward
    /// A number.
    case value(Double)

    /// The query argument's meaning, or nil for anything else (Gnocchi's `FillSchema`:
    /// a float first, then the words).
    public init?(argument: String, parseFloat: (String) -> Double?) {
        if let number = parseFloat(argument) {
            self = .value(number)
            return
        }
        switch argument {
        case "null": self = .null
        case "dropna": self = .dropNaN
        case "ffill": self = .forward
        case "bfill": self = .backward
        case "full_ffill": self = .fullForward
        case "full_bfill": self = .fullBackward
        default: return nil
        }
    }

    /// Whether NaN and infinite results are left out of the output.
    var dropsNaN: Bool {
        switch self {
        case .null, .value: false
        default: true
        }
    }
}

/// The answer of a cross-metric query, granularities coarsest first.
public enum QueryResult: Sendable, Equatable {
    /// The operations combined the series: Gnocchi's `{"aggregated": [...]}`.
    case aggregated([GranularSeries])
    /// One result per reference, grouped by metric name then aggregation, in the order
    /// the references were first named: Gnocchi's `{"ID": {"mean": [...]}}`.
    case perReference([PerReference])
    /// The resource mode's per-reference results, by resource id then as
    /// ``perReference`` by metric name: Gnocchi's `{"RID": {"cpu": {"mean": [...]}}}`.
    case perResource([(resource: String, metrics: [PerReference])])

    /// The results of one name, by aggregation.
    public typealias PerReference = (
        name: String, aggregations: [(aggregation: String, series: [GranularSeries])]
    )

    public static func == (lhs: QueryResult, rhs: QueryResult) -> Bool {
        func same(_ left: [PerReference], _ right: [PerReference]) -> Bool {
            left.count == right.count
                && zip(left, right).allSatisfy { l, r in
                    l.name == r.name && l.aggregations.count == r.aggregations.count
                        && zip(l.aggregations, r.aggregations).allSatisfy {
                            $0.aggregation == $1.aggregation && $0.series == $1.series
                        }
                }
        }
        switch (lhs, rhs) {
        case (.aggregated(let left), .aggregated(let right)): return left == right
        case (.perReference(let left), .perReference(let right)): return same(left, right)
        case (.perResource(let left), .perResource(let right)):
            return left.count == right.count
                && zip(left, right).allSatisfy { $0.resource == $1.resource && same($0.metrics, $1.metrics) }
        default: return false
        }
    }
}

/// The points of one granularity of a result.
public struct GranularSeries: Sendable, Equatable {
    /// The granularity read (for calendar periods, the one they were resampled from).
    public var granularity: TimeDelta
    public var points: Series
    /// Set when the points are calendar periods (`resample mean M`); the output then
    /// names the grouping (`"M"`) where it names the granularity otherwise.
    public var calendar: CalendarGrouping?

    public init(granularity: TimeDelta, points: Series, calendar: CalendarGrouping? = nil) {
        self.granularity = granularity
        self.points = points
        self.calendar = calendar
    }

    /// What the points' periods are, as the output shows them.
    public var sampling: Sampling {
        calendar.map(Sampling.calendar) ?? .timespan(granularity)
    }
}
