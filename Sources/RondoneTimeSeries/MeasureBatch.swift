/// New raw measures for one metric, in the order Gnocchi's metricd sees them.
///
/// Gnocchi sorts a batch with `numpy.sort(order='timestamps')`, which breaks ties on
/// the remaining field, the value, and then keeps the first point of each time stamp.
/// So among measures sharing a time stamp **in one batch** the smallest value wins
/// (NaN sorts last), whatever order they were posted in; several POSTs processed
/// together form one batch. The server confirmed this (see `BoundTimeSeriesTests`).
public struct MeasureBatch: Sendable, Equatable {
    /// The batch sorted and reduced to one point per time stamp.
    public let series: Series

    /// A batch from measures in any order, duplicates allowed.
    public init(timestamps: [Int64], values: [Double]) {
        precondition(timestamps.count == values.count, "BUG: measure arrays differ in length")
        if Self.isStrictlyIncreasing(timestamps) {
            series = Series(timestamps: timestamps, values: values)
            return
        }
        // Stable sort of the positions by (time stamp, value), NaN after numbers.
        let order = timestamps.indices.sorted { a, b in
            if timestamps[a] != timestamps[b] { return timestamps[a] < timestamps[b] }
            return Self.valueSortsBefore(values[a], values[b])
        }
        var result = Series()
        result.reserveCapacity(order.count)
        for index in order where result.timestamps.last != timestamps[index] {
            result.append(timestamps[index], values[index])
        }
        series = result
    }

    /// A batch from (time stamp, value) pairs in any order, duplicates allowed.
    public init(_ measures: [(timestamp: Timestamp, value: Double)]) {
        self.init(timestamps: measures.map(\.timestamp.nanoseconds), values: measures.map(\.value))
    }

    @inlinable
    public var isEmpty: Bool { series.isEmpty }

    private static func isStrictlyIncreasing(_ timestamps: [Int64]) -> Bool {
        var index = 1
        while index < timestamps.count {
            if timestamps[index - 1] >= timestamps[index] { return false }
            index += 1
        }
        return true
    }

    private static func valueSortsBefore(_ a: Double, _ b: Double) -> Bool {
        if a.isNaN { return false }
        if b.isNaN { return true }
        return a < b
    }
}
