/// A signed length of time in nanoseconds: a granularity, a timespan, a back window.
///
/// Named after Python's `timedelta` because Gnocchi renders granularities and
/// timespans as `str(timedelta)` (`"0:05:00"`, `"1 day, 0:00:00"`).
public struct TimeDelta: Hashable, Comparable, Sendable {
    /// The length in nanoseconds.
    public var nanoseconds: Int64

    @inlinable
    public init(nanoseconds: Int64) {
        self.nanoseconds = nanoseconds
    }

    @inlinable
    public static func seconds(_ seconds: Int64) -> TimeDelta {
        TimeDelta(nanoseconds: seconds * 1_000_000_000)
    }

    @inlinable
    public static func minutes(_ minutes: Int64) -> TimeDelta { .seconds(minutes * 60) }

    @inlinable
    public static func hours(_ hours: Int64) -> TimeDelta { .seconds(hours * 3600) }

    @inlinable
    public static func days(_ days: Int64) -> TimeDelta { .seconds(days * 86_400) }

    public static let zero = TimeDelta(nanoseconds: 0)

    /// The length in (fractional) seconds, as Gnocchi returns granularities in measures.
    @inlinable
    public var seconds: Double { Double(nanoseconds) / 1e9 }

    @inlinable
    public static func < (lhs: TimeDelta, rhs: TimeDelta) -> Bool {
        lhs.nanoseconds < rhs.nanoseconds
    }

    @inlinable
    public static func * (lhs: TimeDelta, rhs: Int64) -> TimeDelta {
        TimeDelta(nanoseconds: lhs.nanoseconds * rhs)
    }
}
