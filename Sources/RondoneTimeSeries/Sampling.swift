/// What a series is resampled to: periods of one length, or calendar periods (Gnocchi
/// 4.7's `resample` takes either).
///
/// Guarantees: ``periodStart(_:)`` is the grouping ``GroupedSeries`` uses, Gnocchi's
/// `round_timestamp` for a timespan and ``CalendarGrouping/periodStart(_:)`` for a
/// calendar grouping.
public enum Sampling: Hashable, Sendable {
    /// Periods of this (positive) length from the epoch.
    case timespan(TimeDelta)
    /// Years, half-years, quarters, months or weeks of the calendar.
    case calendar(CalendarGrouping)

    /// Reads a `resample` argument as Gnocchi's API does: one of the calendar letters
    /// (`Y`, `H`, `Q`, `M`, `W`, case-sensitive), else a timespan (`to_timespan`).
    public static func parse(_ text: String) throws(TimespanError) -> Sampling {
        if let grouping = CalendarGrouping(letter: text) { return .calendar(grouping) }
        return .timespan(try TimeDelta.parseTimespan(text))
    }

    /// The start of the period holding `nanoseconds`.
    public func periodStart(_ nanoseconds: Int64) -> Int64 {
        switch self {
        case .timespan(let length): roundTimestamp(nanoseconds, granularity: length.nanoseconds)
        case .calendar(let grouping): grouping.periodStart(nanoseconds)
        }
    }

    /// The end (exclusive) of the period starting at `start` (a value of
    /// ``periodStart(_:)``), nil if it is beyond the `Int64` range.
    public func periodEnd(ofPeriodStartingAt start: Int64) -> Int64? {
        switch self {
        case .timespan(let length):
            let (end, overflow) = start.addingReportingOverflow(length.nanoseconds)
            return overflow ? nil : end
        case .calendar(let grouping): return grouping.periodEnd(ofPeriodStartingAt: start)
        }
    }

    /// The fixed length, nil for a calendar grouping.
    public var timespan: TimeDelta? {
        if case .timespan(let length) = self { return length }
        return nil
    }

    /// The calendar grouping, nil for a timespan.
    public var calendar: CalendarGrouping? {
        if case .calendar(let grouping) = self { return grouping }
        return nil
    }
}
