extension GroupedSeries {
    /// Finds the calendar periods of the sorted time stamps `ts[begin...]`.
    ///
    /// Calendar arithmetic runs once per period, not per point: the first point of a
    /// period gives its start and exact (integer) end, and a galloping search skips to
    /// the first point at or after that end. Grouping a month of minute points costs
    /// one date conversion and about 16 comparisons.
    static func group(
        _ ts: UnsafeBufferPointer<Int64>, from begin: Int, calendar grouping: CalendarGrouping
    ) -> (periods: [Int64], bounds: [Int]) {
        let n = ts.count
        var periods: [Int64] = []
        var bounds: [Int] = [begin]
        guard begin < n else { return (periods, bounds) }
        var i = begin
        while i < n {
            let start = grouping.periodStart(ts[i])
            periods.append(start)
            if let end = grouping.periodEnd(ofPeriodStartingAt: start) {
                i = gallopingLowerBound(ts, end, from: i + 1)
            } else {
                i = n
            }
            bounds.append(i)
        }
        return (periods, bounds)
    }
}
