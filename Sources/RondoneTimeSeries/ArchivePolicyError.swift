/// Why an archive policy (or one of its definition items, or a change to it) was refused.
///
/// ``message`` is the text Gnocchi 4.7 puts in its 400 response for the same input, so
/// the API layer can return it unchanged.
public enum ArchivePolicyError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Granularity, points and timespan were all given and do not agree.
    case timespanMismatch
    /// A granularity of zero or less was given (or derived, see ``ArchivePolicyItem``).
    case granularityNotPositive
    /// A number of points of zero or less was given.
    case pointsNotPositive
    /// Fewer than two of granularity, points and timespan were given.
    case tooFewFields
    /// The timespan is shorter than one granularity, so no point would be kept.
    case calculatedPointsNotPositive
    /// A duration does not fit in 64-bit nanoseconds (Gnocchi silently wraps around
    /// here; Rondone refuses instead of storing a nonsense policy).
    case durationOutOfRange
    /// Two definition items share a granularity.
    case duplicateGranularity(TimeDelta)
    /// `aggregation_methods` holds names that are neither methods nor `*`, `+m`, `-m`.
    case invalidAggregationMethods([String])
    /// A field fails the REST schema (Gnocchi's voluptuous reason and the field path).
    case invalidInput(reason: String, detail: [String])
    /// A PATCH would change the policy in a way Gnocchi does not support.
    case unsupportedChange(policy: String, reason: String)

    /// The message Gnocchi returns for this error.
    public var message: String {
        switch self {
        case .timespanMismatch: "timespan ≠ granularity × points"
        case .granularityNotPositive: "Granularity should be > 0"
        case .pointsNotPositive: "Number of points should be > 0"
        case .tooFewFields: "At least two of granularity/points/timespan must be provided"
        case .calculatedPointsNotPositive: "Calculated number of points is < 0"
        case .durationOutOfRange: "Timespan is out of range"
        case .duplicateGranularity(let granularity):
            // Gnocchi formats the seconds as a Python float; Swift's shortest
            // round-trip `description` spells doubles the same way (60.0, 0.5, 1e-09).
            "More than one archive policy uses granularity `\(granularity.seconds)'"
        case .invalidAggregationMethods(let names):
            "Invalid value for aggregation_methods: {\(names.map(pythonStringRepr).joined(separator: ", "))}"
        case .invalidInput(let reason, _): reason
        case .unsupportedChange(let policy, let reason):
            "Archive policy \(policy) does not support change: \(reason)"
        }
    }

    public var description: String { message }
}
