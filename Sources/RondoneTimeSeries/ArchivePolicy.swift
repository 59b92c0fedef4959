/// A named recipe for what a metric keeps: which aggregation methods, at which
/// granularities, for how long, and how far back in time late measures are accepted.
///
/// Construction validates like Gnocchi 4.7's `POST /v1/archive_policy` (REST schema,
/// then the `ArchivePolicy` model) and resolves `aggregation_methods` once, so a value
/// of this type is always a policy Gnocchi would have accepted and stored.
public struct ArchivePolicy: Hashable, Sendable {
    /// Unique name. Gnocchi puts no rule on it beyond being a string (even `""` and
    /// names with `/` are accepted), so neither does Rondone.
    public var name: String
    /// How many blocks (of ``maxBlockSize``) before the newest one still accept
    /// measures.
    public var backWindow: Int
    /// The items as given (Gnocchi keeps the caller's order).
    public var definition: [ArchivePolicyItem]
    /// The resolved methods, each applied at every granularity of ``definition``.
    public var aggregationMethods: Set<Aggregation>

    /// The methods a policy gets when it names none, or only `+m`/`-m` changes:
    /// Gnocchi's `default_aggregation_methods` option at its default value.
    public static let defaultAggregationMethodNames = ["mean", "min", "max", "sum", "std", "count"]

    /// Validates and builds a policy.
    ///
    /// - Parameters:
    ///   - aggregationMethods: names as sent in the request; nil means the defaults.
    ///     `*` stands for every method, `+m` adds and `-m` removes one.
    ///   - defaultAggregationMethods: the deployment's default methods.
    public init(
        name: String, backWindow: Int = 0, definition: [ArchivePolicyItem],
        aggregationMethods: [String]? = nil,
        defaultAggregationMethods: [String] = ArchivePolicy.defaultAggregationMethodNames
    ) throws(ArchivePolicyError) {
        try Self.validateSchema(backWindow: backWindow, definition: definition)
        try Self.rejectDuplicateGranularities(definition)
        self.name = name
        self.backWindow = backWindow
        self.definition = definition
        self.aggregationMethods = try Self.resolveAggregationMethods(
            aggregationMethods ?? defaultAggregationMethods, defaults: defaultAggregationMethods)
    }

    /// The coarsest granularity: the block size of the unaggregated buffer, because
    /// the buffer must hold every raw point the coarsest aggregate still needs.
    public var maxBlockSize: TimeDelta {
        definition.lazy.map(\.granularity).max() ?? .zero
    }

    /// Whether any method works on the rate of change; such policies keep one more
    /// block of raw points so that the first difference of a block can be formed.
    public var hasRateAggregation: Bool {
        aggregationMethods.contains { $0.isRate }
    }

    /// The back window the unaggregated buffer really uses (Gnocchi's
    /// `execute_data_processing`: one more block when a `rate:` method is present).
    public var bufferBackWindow: Int {
        hasRateAggregation ? backWindow &+ 1 : backWindow
    }

    /// Every aggregate series the policy keeps, by ascending granularity, then by
    /// method name (Gnocchi iterates a set there; the order carries no meaning).
    public var aggregations: [PolicyAggregation] {
        let methods = aggregationMethods.sorted { $0.name < $1.name }
        return definition.sorted { $0.granularity < $1.granularity }.flatMap { item in
            methods.map {
                PolicyAggregation(aggregation: $0, granularity: item.granularity, timespan: item.timespan)
            }
        }
    }

    static func validateSchema(backWindow: Int, definition: [ArchivePolicyItem]) throws(ArchivePolicyError) {
        guard backWindow >= 0 else {
            throw .invalidInput(
                reason: "value must be at least 0 for dictionary value @ data['back_window']",
                detail: ["back_window"])
        }
        guard !definition.isEmpty else {
            throw .invalidInput(
                reason: "length of value must be at least 1 for dictionary value @ data['definition']",
                detail: ["definition"])
        }
    }

    private static func rejectDuplicateGranularities(_ definition: [ArchivePolicyItem])
        throws(ArchivePolicyError)
    {
        // Gnocchi reports the first granularity (in definition order) that repeats.
        var counts: [TimeDelta: Int] = [:]
        for item in definition { counts[item.granularity, default: 0] += 1 }
        var reported = Set<TimeDelta>()
        for item in definition where counts[item.granularity, default: 0] > 1 {
            if reported.insert(item.granularity).inserted { throw .duplicateGranularity(item.granularity) }
        }
    }
}

/// One aggregate series of a policy: a method at a granularity, kept for a timespan
/// (Gnocchi's `carbonara.Aggregation`). Splits are stored per value of this type.
public struct PolicyAggregation: Hashable, Sendable, CustomStringConvertible {
    /// The method (possibly `rate:`).
    public var aggregation: Aggregation
    /// The period of each aggregate.
    public var granularity: TimeDelta
    /// How far back from the newest aggregate points are kept; nil keeps all.
    public var timespan: TimeDelta?

    public init(aggregation: Aggregation, granularity: TimeDelta, timespan: TimeDelta?) {
        self.aggregation = aggregation
        self.granularity = granularity
        self.timespan = timespan
    }

    public var description: String { "\(aggregation.name)@\(granularity.seconds)s" }
}
