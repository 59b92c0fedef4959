/// A series cut into periods of one granularity, ready to be reduced by any number of
/// aggregation methods (Gnocchi's `GroupedTimeSeries`).
///
/// Grouping is the costly shared step, so build one `GroupedSeries` per series and
/// granularity and call ``aggregate(_:)-(AggregationMethod)`` for each method: metricd
/// computes 6–9 methods for each granularity of a metric.
///
/// Periods are of one length (a granularity) or of the calendar (``CalendarGrouping``,
/// Gnocchi's `resample=M` …); both share the aggregation code.
///
/// Guarantees: ``periods`` holds the start of every non-empty period, increasing, as
/// ``Sampling/periodStart(_:)`` computes it (Gnocchi's ``roundTimestamp(_:granularity:)``
/// for a granularity); only points at or after ``start`` are grouped. Results equal Gnocchi 4.7's bit for bit wherever numpy's result
/// is deterministic (see ``aggregate(_:)-(AggregationMethod)`` for the exceptions).
public struct GroupedSeries: Sendable {
    /// What the periods are: a length, or calendar periods.
    public let sampling: Sampling
    /// Points before this time were left out (the `start` of Gnocchi's grouping).
    public let start: Timestamp?
    /// The start of each non-empty period, increasing.
    public let periods: [Int64]
    /// The values grouped, in time order; `values[bounds[k]..<bounds[k + 1]]` belong to
    /// `periods[k]`. Points before `bounds[0]` are the ones left out by `start`.
    @usableFromInline let values: [Double]
    /// `periods.count + 1` indices into `values`.
    @usableFromInline let bounds: [Int]
    /// The series this grouping was made from, kept to derive rates from.
    @usableFromInline let source: Series

    /// Groups `series` into periods of `granularity` (which must be positive), leaving
    /// out the points before `start` if given.
    public init(_ series: Series, granularity: TimeDelta, start: Timestamp? = nil) {
        self.init(series, sampling: .timespan(granularity), start: start)
    }

    /// Groups `series` into the periods of `sampling` (a timespan must be positive),
    /// leaving out the points before `start` if given.
    public init(_ series: Series, sampling: Sampling, start: Timestamp? = nil) {
        let begin = start.map { series.lowerBound($0.nanoseconds) } ?? 0
        (periods, bounds) = series.timestamps.withUnsafeBufferPointer { timestamps in
            switch sampling {
            case .timespan(let granularity):
                precondition(
                    granularity.nanoseconds > 0, "BUG: granularity must be positive (callers validate)")
                return Self.group(timestamps, from: begin, granularity: granularity.nanoseconds)
            case .calendar(let grouping):
                return Self.group(timestamps, from: begin, calendar: grouping)
            }
        }
        self.sampling = sampling
        self.start = start
        self.values = series.values
        self.source = series
    }

    /// The number of non-empty periods.
    @inlinable
    public var count: Int { periods.count }

    /// The grouping of the rate of change: differences of consecutive points of the
    /// source series, each stamped with the later point's time (Gnocchi's `derived()`).
    ///
    /// With a `start`, the differences begin one point before `start - granularity`, so
    /// the first period after `start` gets its difference from the point before it
    /// (calendar periods begin at the point before `start`, to the same effect; Gnocchi
    /// cannot derive calendar groupings at all and fails).
    public func derived() -> GroupedSeries {
        let from: Int
        switch (start, sampling) {
        case (nil, _):
            from = 0
        case (let start?, .timespan(let granularity)):
            let (lookBack, overflow) = start.nanoseconds.subtractingReportingOverflow(granularity.nanoseconds)
            from = overflow ? 0 : source.lowerBound(lookBack)
        case (let start?, .calendar):
            from = max(source.lowerBound(start.nanoseconds) - 1, 0)
        }
        var rates = Series()
        let n = source.count
        if from + 1 < n {
            rates.timestamps = Array(source.timestamps[(from + 1)...])
            rates.values = [Double](unsafeUninitializedCapacity: n - from - 1) { out, initialized in
                source.values.withUnsafeBufferPointer { v in
                    for i in (from + 1)..<n { out[i - from - 1] = v[i] - v[i - 1] }
                }
                initialized = n - from - 1
            }
        }
        return GroupedSeries(rates, sampling: sampling, start: start)
    }

    /// Finds the periods of the sorted time stamps `ts[begin...]`.
    ///
    /// Gnocchi's period number is a floating-point floor division, so it is evaluated per
    /// point only near period ends: for each period, a time stamp `safeEnd` a little before
    /// the exact integer end is checked to still map to the period (the mapping is
    /// monotonic, so every point before it does too) and skipped to by a galloping search.
    /// The few points between `safeEnd` and the true end are tested one by one.
    static func group(
        _ ts: UnsafeBufferPointer<Int64>, from begin: Int, granularity: Int64
    ) -> (periods: [Int64], bounds: [Int]) {
        let g = Double(granularity)
        let n = ts.count
        var periods: [Int64] = []
        var bounds: [Int] = [begin]
        guard begin < n else { return (periods, bounds) }
        // One period per point at most, and no more than the span covers.
        let span = ts[n - 1].subtractingReportingOverflow(ts[begin])
        let estimate =
            span.overflow ? n - begin : Int(min(Int64(n - begin), span.partialValue / granularity + 2))
        periods.reserveCapacity(estimate)
        bounds.reserveCapacity(estimate + 1)
        var i = begin
        var period = periodStart(ofKey: periodKey(ts[i], g), g)
        while true {
            periods.append(period)
            i += 1
            if i < n, let safeEnd = safeEnd(period: period, granularity: granularity, g, before: ts[i]) {
                i = gallopingLowerBound(ts, safeEnd, from: i)
            }
            // Compare period starts, not keys: numpy groups on the rounded time stamps,
            // and below 256 ns granularities two keys can round to one time stamp.
            var next = period
            while i < n {
                next = periodStart(ofKey: periodKey(ts[i], g), g)
                if next != period { break }
                i += 1
            }
            bounds.append(i)
            if i == n { break }
            period = next
        }
        return (periods, bounds)
    }

    /// A time stamp before which every later point still belongs to `period`, or nil if
    /// none could be verified (then every point is tested) or skipping to it would not
    /// pass the next point, `following`.
    @inline(__always)
    static func safeEnd(period: Int64, granularity: Int64, _ g: Double, before following: Int64) -> Int64? {
        // Comfortably more than a Double's resolution at any Int64 time stamp (1024 ns).
        let margin: Int64 = 4096
        let (end, overflow) = period.addingReportingOverflow(granularity)
        guard !overflow, end > Int64.min + margin else { return nil }
        let candidate = end - margin
        // Checked in integers first: with one point per period there is nothing to skip,
        // and the division of the check would double the cost of grouping.
        guard following < candidate else { return nil }
        return periodStart(ofKey: periodKey(candidate - 1, g), g) == period ? candidate : nil
    }

    /// The first index `>= from` whose time stamp is `>= t`, found by doubling steps then
    /// bisecting, so a short skip costs a compare or two and a long one O(log n).
    @inline(__always)
    static func gallopingLowerBound(_ ts: UnsafeBufferPointer<Int64>, _ t: Int64, from: Int) -> Int {
        let n = ts.count
        guard from < n, ts[from] < t else { return from }
        var lo = from  // ts[lo] < t
        var step = 1
        var hi = from + 1
        while hi < n && ts[hi] < t {
            lo = hi
            step &<<= 1
            hi = lo + step
        }
        if hi > n { hi = n }
        // Invariant: ts[lo] < t, and ts[hi] >= t or hi == n.
        var low = lo + 1
        while low < hi {
            let mid = (low + hi) >> 1
            if ts[mid] < t { low = mid + 1 } else { hi = mid }
        }
        return low
    }
}
