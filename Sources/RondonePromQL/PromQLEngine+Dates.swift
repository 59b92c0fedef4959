import RondoneTimeSeries

extension PromQLEngine {
    /// `hour`, `minute`, `month`, `year`, `day_of_month`, `day_of_week`, `day_of_year`,
    /// `days_in_month` of each value read as seconds since the epoch (UTC), or of the step's
    /// time when called without an argument (`vector(time())`, as Prometheus does).
    func dateFunction(_ name: String, _ values: [StepValue], _ steps: Steps) throws -> [StepSeries] {
        let series: [StepSeries] =
            values.isEmpty
            ? [
                StepSeries(
                    labels: PromQLLabels([PromQLLabel]()), values: steps.times.map { Double($0) / 1000 })
            ]
            : try vector(values[0])
        return series.map { element in
            StepSeries(
                labels: element.labels.droppingName,
                values: element.values.map { value in value.map { Self.datePart(name, seconds: $0) } })
        }
    }

    /// One part of the UTC date of `seconds` (truncated to whole seconds, as Go's
    /// `time.Unix(int64(v), 0)`); NaN for a value that is no time.
    static func datePart(_ name: String, seconds: Double) -> Double {
        guard seconds.isFinite, abs(seconds) < 9.2e15 else { return .nan }
        let whole = Int64(seconds.rounded(.towardZero))
        var days = whole / 86_400
        var within = whole % 86_400
        if within < 0 {
            within += 86_400
            days -= 1
        }
        let (year, month, day) = CivilCalendar.date(days: days)
        switch name {
        case "hour": return Double(within / 3600)
        case "minute": return Double(within / 60 % 60)
        case "month": return Double(month)
        case "year": return Double(year)
        case "day_of_month": return Double(day)
        case "day_of_week": return Double(((days % 7) + 11) % 7)  // 1970-01-01 was a Thursday (4)
        case "day_of_year": return Double(days - CivilCalendar.days(year: year, month: 1, day: 1) + 1)
        case "days_in_month": return Double(CivilCalendar.daysInMonth(month, year: year))
        default: return .nan
        }
    }
}
