import RondoneStorage
import RondoneTimeSeries

/// A blob's row key in `rondone_aggregate`: the buffer is `("", 0, 0)`, a split its
/// aggregation, granularity and key in nanoseconds (no aggregation is named "").
struct S3BlobAddress: Hashable, Sendable {
    var aggregation: String
    var granularity: Int64
    var key: Int64

    static let buffer = S3BlobAddress(aggregation: "", granularity: 0, key: 0)

    init(aggregation: String, granularity: Int64, key: Int64) {
        self.aggregation = aggregation
        self.granularity = granularity
        self.key = key
    }

    init(_ split: SplitAddress) {
        self.init(
            aggregation: split.aggregation, granularity: split.granularity.nanoseconds,
            key: split.key.nanoseconds)
    }
}

/// Columns of many blob addresses, as the `unnest` of one statement takes them.
struct S3BlobColumns: Sendable {
    /// Metric ids as text (`::uuid` in the statements).
    var metrics: [String] = []
    var aggregations: [String] = []
    var granularities: [Int64] = []
    var keys: [Int64] = []
    var objects: [String] = []

    mutating func append(_ metric: MetricID, _ address: S3BlobAddress, object: String = "") {
        metrics.append(metric.description)
        aggregations.append(address.aggregation)
        granularities.append(address.granularity)
        keys.append(address.key)
        objects.append(object)
    }

    var isEmpty: Bool { metrics.isEmpty }
}
