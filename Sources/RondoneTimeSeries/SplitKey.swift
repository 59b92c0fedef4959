/// The start of one split: the unit in which an aggregate series is stored.
///
/// A split holds at most ``pointsPerSplit`` aggregates of one granularity; its key is
/// the time stamp rounded down to a multiple of `granularity × 3600` since the epoch,
/// exactly as Gnocchi's `SplitKey`, so keys (and the objects named after them) are
/// the same in both systems.
public struct SplitKey: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Gnocchi's `POINTS_PER_SPLIT`.
    public static let pointsPerSplit: Int64 = 3600

    /// The first instant the split covers.
    public var timestamp: Timestamp
    /// The granularity of the aggregates in the split (Gnocchi's `sampling`).
    public var granularity: TimeDelta

    /// A key from its stored time stamp (e.g. when listing existing splits).
    @inlinable
    public init(timestamp: Timestamp, granularity: TimeDelta) {
        self.timestamp = timestamp
        self.granularity = granularity
    }

    /// The key of the split that holds time `t` (`granularity` > 0), rounded as
    /// Gnocchi rounds it (see ``roundTimestamp(_:granularity:)``).
    @inlinable
    public init(containing t: Timestamp, granularity: TimeDelta) {
        self.init(
            timestamp: Timestamp(
                nanoseconds: roundTimestamp(t.nanoseconds, granularity: Self.span(granularity).nanoseconds)),
            granularity: granularity)
    }

    /// The time one split covers: `granularity × 3600`. Granularities above ~29 days
    /// would overflow 64-bit nanoseconds; the span then saturates (every time after
    /// the epoch falls in one split) rather than wrapping as numpy does.
    @inlinable
    public static func span(_ granularity: TimeDelta) -> TimeDelta {
        let product = granularity.nanoseconds.multipliedReportingOverflow(by: pointsPerSplit)
        return TimeDelta(nanoseconds: product.overflow ? .max : product.partialValue)
    }

    /// The key of the following split.
    @inlinable
    public var next: SplitKey {
        SplitKey(timestamp: timestamp + Self.span(granularity), granularity: granularity)
    }

    /// Orders by time; keys of different granularities are ordered by granularity
    /// next, only so that the order is total (Gnocchi refuses to compare them).
    @inlinable
    public static func < (lhs: SplitKey, rhs: SplitKey) -> Bool {
        (lhs.timestamp, lhs.granularity) < (rhs.timestamp, rhs.granularity)
    }

    /// Seconds since the epoch as a Python float, how Gnocchi names split objects.
    public var description: String { String(Double(timestamp.nanoseconds) / 1e9) }
}
