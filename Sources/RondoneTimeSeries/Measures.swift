/// Raw measures of one metric as a producer sent them: the one measures type of every
/// producer (the REST parsers, InfluxDB, Prometheus, statsd) and of the incoming store.
///
/// Column-wise, as the incoming log stores them and the engine consumes them. Not a
/// `Series`: the order is the producer's, and time stamps may repeat (metricd decides
/// which of several measures at one time stamp wins; see ``MeasureBatch``).
public struct Measures: Sendable, Equatable {
    /// Nanoseconds since the epoch, one per value.
    public var timestamps: [Int64]
    /// One value per time stamp.
    public var values: [Double]

    /// Measures from two columns of equal length.
    public init(timestamps: [Int64] = [], values: [Double] = []) {
        precondition(timestamps.count == values.count, "BUG: measure columns differ in length")
        self.timestamps = timestamps
        self.values = values
    }

    /// The number of measures.
    @inlinable
    public var count: Int { timestamps.count }

    /// Whether there are none.
    @inlinable
    public var isEmpty: Bool { timestamps.isEmpty }

    /// Appends one measure.
    @inlinable
    public mutating func append(_ timestamp: Int64, _ value: Double) {
        timestamps.append(timestamp)
        values.append(value)
    }

    /// Appends every measure of `other`, in its order.
    public mutating func append(contentsOf other: Measures) {
        timestamps.append(contentsOf: other.timestamps)
        values.append(contentsOf: other.values)
    }

    /// Makes room for `count` measures in all.
    public mutating func reserveCapacity(_ count: Int) {
        timestamps.reserveCapacity(count)
        values.reserveCapacity(count)
    }

    /// Bit-exact equality of values, so NaN payloads and -0.0 compare as written.
    public static func == (lhs: Measures, rhs: Measures) -> Bool {
        lhs.timestamps == rhs.timestamps && lhs.values.map(\.bitPattern) == rhs.values.map(\.bitPattern)
    }
}
