import RondoneTimeSeries

/// Why a cross-metric query cannot be answered, in the terms Gnocchi 4.7 reports (the
/// API maps each case to Gnocchi's status and body).
public enum QueryError: Error, Equatable, Sendable {
    /// Gnocchi's `UnAggregableTimeseries`: 400 `{"cause": "Metrics cannot be aggregated",
    /// "reason": ..., "detail": ...}`; `detail` lists references (`[name, aggregation]`,
    /// with the granularity for `Granularities are missing`).
    case unaggregable(detail: [[DetailItem]], reason: String)
    /// A reference names a method its metric's policy does not keep; `granularity` is
    /// the policy's first, as Gnocchi reports it.
    case aggregationDoesNotExist(metric: MetricID, method: String, granularity: TimeDelta)
    /// Input Gnocchi fails on with a 500 (numpy shape errors, reductions of a constant);
    /// Rondone answers 400 with this reason.
    case invalidOperation(String)

    /// One element of an `unaggregable` reference.
    public enum DetailItem: Equatable, Sendable {
        case text(String)
        case seconds(Double)
    }

    /// The `[name, aggregation]` detail of references.
    public static func detail(_ keys: [ReferenceKey]) -> [[DetailItem]] {
        keys.map { [.text($0.name), .text($0.aggregation)] }
    }
}
