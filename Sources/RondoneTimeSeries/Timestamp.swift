/// A point in time: nanoseconds since the Unix epoch, UTC.
///
/// Rondone keeps time as a plain 64-bit integer end to end (the range covers the
/// years 1677–2262, as numpy's `datetime64[ns]` that Gnocchi uses), so comparing,
/// rounding and storing a timestamp never involves `Date` or a calendar.
public struct Timestamp: Hashable, Comparable, Sendable {
    /// Nanoseconds since 1970-01-01T00:00:00Z.
    public var nanoseconds: Int64

    @inlinable
    public init(nanoseconds: Int64) {
        self.nanoseconds = nanoseconds
    }

    /// The epoch itself, the earliest time Gnocchi accepts for a measure.
    public static let epoch = Timestamp(nanoseconds: 0)

    @inlinable
    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.nanoseconds < rhs.nanoseconds
    }

    /// The start of the period of `granularity` that holds this time, as Gnocchi's
    /// `round_timestamp` computes it: a floor done in floating point, so that periods,
    /// split keys and back-window blocks agree with Gnocchi's to the nanosecond (see
    /// ``roundTimestamp(_:granularity:)`` for where this differs from an exact floor).
    @inlinable
    public func floored(to granularity: TimeDelta) -> Timestamp {
        Timestamp(nanoseconds: roundTimestamp(nanoseconds, granularity: granularity.nanoseconds))
    }

    @inlinable
    public static func + (lhs: Timestamp, rhs: TimeDelta) -> Timestamp {
        Timestamp(nanoseconds: lhs.nanoseconds &+ rhs.nanoseconds)
    }

    @inlinable
    public static func - (lhs: Timestamp, rhs: TimeDelta) -> Timestamp {
        Timestamp(nanoseconds: lhs.nanoseconds &- rhs.nanoseconds)
    }

    @inlinable
    public static func - (lhs: Timestamp, rhs: Timestamp) -> TimeDelta {
        TimeDelta(nanoseconds: lhs.nanoseconds &- rhs.nanoseconds)
    }
}

/// `value` rounded down to a multiple of `step` (`step` > 0), as a floor division.
@inlinable
public func floorToMultiple(_ value: Int64, _ step: Int64) -> Int64 {
    let remainder = value % step
    return remainder < 0 ? value - remainder - step : value - remainder
}
