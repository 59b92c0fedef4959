/// A calendar period that points can be grouped by: Gnocchi 4.7's `calendar.GROUPINGS`,
/// the letters the `resample` query parameter takes besides timespans.
///
/// Periods are those numpy computes, in UTC on the proleptic Gregorian calendar:
///
/// * `Y` starts on 1 January, `H` on 1 January and 1 July, `Q` on the first day of
///   January, April, July and October, `M` on the first day of each month.
/// * `W` starts on **Sunday** (Gnocchi's `week_and_year`: numpy's `datetime64[W]`
///   counts weeks from Thursday 1970-01-01, shifted back four days). It is not the ISO
///   week, which starts on Monday, although Gnocchi's documentation calls it so.
///
/// Guarantees: ``periodStart(_:)`` is the start of the period holding a time stamp, at
/// midnight UTC, computed with integer arithmetic only (no `Date`, no allocation), and
/// floors correctly before 1970; results beyond the `Int64` nanosecond range saturate.
public enum CalendarGrouping: String, Hashable, Sendable, CaseIterable {
    case year = "Y"
    case halfYear = "H"
    case quarter = "Q"
    case month = "M"
    case week = "W"

    /// The letter Gnocchi names the grouping by, which it also reports as the
    /// granularity of resampled points (`["2015-01-01T00:00:00+00:00", "Y", 7.0]`).
    public var letter: String { rawValue }

    /// The grouping of a letter, case-sensitive as Gnocchi's dictionary lookup is.
    public init?(letter: String) {
        self.init(rawValue: letter)
    }

    /// Months per period, or 0 for weeks.
    var months: Int {
        switch self {
        case .year: 12
        case .halfYear: 6
        case .quarter: 3
        case .month: 1
        case .week: 0
        }
    }

    /// The day number (days since 1970-01-01) of the start of the period holding `day`.
    public func periodStartDay(ofDay day: Int64) -> Int64 {
        if self == .week {
            // 1970-01-01 was a Thursday: day + 4 counts from the Sunday before it.
            return day - floorModulo(day &+ 4, 7)
        }
        let date = CivilCalendar.date(days: day)
        let month = months == 12 ? 1 : (date.month - 1) / months * months + 1
        return CivilCalendar.days(year: date.year, month: month, day: 1)
    }

    /// The day number of the start of the period after the one starting on `day` (a
    /// period start).
    public func nextPeriodStartDay(afterPeriodStartingOn day: Int64) -> Int64 {
        if self == .week { return day + 7 }
        let date = CivilCalendar.date(days: day)
        let monthIndex = date.month - 1 + months
        return CivilCalendar.days(
            year: date.year + Int64(monthIndex / 12), month: monthIndex % 12 + 1, day: 1)
    }

    /// The start (nanoseconds since the epoch, UTC) of the period holding `nanoseconds`,
    /// `Int64.min` if it is before the `Int64` range (only in 1677).
    public func periodStart(_ nanoseconds: Int64) -> Int64 {
        let day = floorDivide(nanoseconds, Self.nanosecondsPerDay)
        return Self.nanoseconds(ofDay: periodStartDay(ofDay: day))
    }

    /// The end (exclusive) of the period starting at `start` (a value of
    /// ``periodStart(_:)``), or nil if it is beyond the `Int64` range (only in 2262).
    public func periodEnd(ofPeriodStartingAt start: Int64) -> Int64? {
        let day = floorDivide(start, Self.nanosecondsPerDay)
        let next = Self.nanoseconds(
            ofDay: nextPeriodStartDay(afterPeriodStartingOn: periodStartDay(ofDay: day)))
        return next == .max ? nil : next
    }

    static let nanosecondsPerDay: Int64 = 86_400_000_000_000

    /// Midnight of `day` in nanoseconds, saturated to the `Int64` range.
    static func nanoseconds(ofDay day: Int64) -> Int64 {
        let (product, overflow) = day.multipliedReportingOverflow(by: nanosecondsPerDay)
        if overflow { return day < 0 ? .min : .max }
        return product
    }
}

/// `a mod b` in `0..<b` (`b > 0`).
@inline(__always)
func floorModulo(_ a: Int64, _ b: Int64) -> Int64 {
    let remainder = a % b
    return remainder < 0 ? remainder + b : remainder
}
