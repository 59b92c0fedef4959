/// A time series held as two parallel arrays, sorted by time stamp, no time stamp twice.
///
/// Struct-of-arrays keeps the hot loops (grouping, aggregation, encoding) on
/// contiguous `Int64` and `Double` buffers. Time stamps are nanoseconds since the
/// epoch (see ``Timestamp``).
public struct Series: Equatable, Sendable {
    /// Time stamps in nanoseconds since the epoch, strictly increasing.
    public var timestamps: [Int64]
    /// The value at each time stamp.
    public var values: [Double]

    @inlinable
    public init() {
        timestamps = []
        values = []
    }

    /// A series from parallel arrays that the caller guarantees sorted and unique.
    @inlinable
    public init(timestamps: [Int64], values: [Double]) {
        precondition(timestamps.count == values.count, "BUG: series arrays differ in length")
        self.timestamps = timestamps
        self.values = values
    }

    @inlinable
    public var count: Int { timestamps.count }

    @inlinable
    public var isEmpty: Bool { timestamps.isEmpty }

    @inlinable
    public var first: Timestamp? { timestamps.first.map(Timestamp.init(nanoseconds:)) }

    @inlinable
    public var last: Timestamp? { timestamps.last.map(Timestamp.init(nanoseconds:)) }

    @inlinable
    public mutating func reserveCapacity(_ n: Int) {
        timestamps.reserveCapacity(n)
        values.reserveCapacity(n)
    }

    @inlinable
    public mutating func append(_ timestamp: Int64, _ value: Double) {
        timestamps.append(timestamp)
        values.append(value)
    }

    /// Bit-exact equality (NaN equals NaN with the same bits), what codec round-trips need.
    public static func == (lhs: Series, rhs: Series) -> Bool {
        guard lhs.timestamps == rhs.timestamps, lhs.values.count == rhs.values.count else {
            return false
        }
        for i in lhs.values.indices where lhs.values[i].bitPattern != rhs.values[i].bitPattern {
            return false
        }
        return true
    }

    /// Index of the first time stamp `>= t` (numpy's `searchsorted(side='left')`).
    @inlinable
    public func lowerBound(_ t: Int64) -> Int {
        var lo = 0
        var hi = timestamps.count
        while lo < hi {
            let mid = (lo &+ hi) >> 1
            if timestamps[mid] < t { lo = mid &+ 1 } else { hi = mid }
        }
        return lo
    }

    /// Index of the first time stamp `> t` (numpy's `searchsorted(side='right')`).
    @inlinable
    public func upperBound(_ t: Int64) -> Int {
        var lo = 0
        var hi = timestamps.count
        while lo < hi {
            let mid = (lo &+ hi) >> 1
            if timestamps[mid] <= t { lo = mid &+ 1 } else { hi = mid }
        }
        return lo
    }

    /// The points with index in `range`.
    @inlinable
    public func slice(_ range: Range<Int>) -> Series {
        Series(timestamps: Array(timestamps[range]), values: Array(values[range]))
    }
}
