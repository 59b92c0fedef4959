/// The start of the period of `granularity` nanoseconds that holds `nanoseconds`, computed
/// exactly as Gnocchi 4.7's `round_timestamp` does.
///
/// Gnocchi divides in floating point (`numpy.floor(ts / freq) * freq` on `timedelta64`
/// values, i.e. `floor(Double(t) / Double(g)) * Double(g)` truncated back to an integer).
/// Near a period boundary this differs from an exact integer floor: at today's dates a
/// `Double` holds a nanosecond time stamp only to the nearest 256 ns, so a point a few
/// hundred nanoseconds before a boundary lands in the *next* period, and a granularity
/// below that resolution merges neighbouring time stamps. Rondone mirrors it so that
/// grouped results equal Gnocchi's bit for bit. Time stamps whole to the microsecond
/// are not affected at granularities up to years.
///
/// `granularity` must be positive (callers validate granularities before they get here).
/// A result beyond `Int64` (only for time stamps within a granularity of the year 2262)
/// saturates instead of trapping.
@inlinable
public func roundTimestamp(_ nanoseconds: Int64, granularity: Int64) -> Int64 {
    periodStart(ofKey: periodKey(nanoseconds, Double(granularity)), Double(granularity))
}

/// `floor(Double(t) / g)`: the period number Gnocchi's grouping compares.
///
/// The floor is done inline (truncate, then step down for negative fractions) because
/// the generic `rounded(.down)` becomes a libm call on baseline x86-64.
@inlinable @inline(__always)
func periodKey(_ t: Int64, _ granularity: Double) -> Double {
    let quotient = Double(t) / granularity
    // From 2^52 on every Double is an integer already (and may not fit an Int64).
    guard quotient.magnitude < 4_503_599_627_370_496.0 else { return quotient }
    let truncated = Double(Int64(quotient))
    return truncated > quotient ? truncated - 1 : truncated
}

/// The time stamp of period number `key`, as numpy converts `key * g` back to `timedelta64`
/// (a truncating cast), saturated to the `Int64` range.
@inlinable @inline(__always)
func periodStart(ofKey key: Double, _ granularity: Double) -> Int64 {
    let product = key * granularity
    if product >= 9_223_372_036_854_775_807.0 { return .max }
    if product <= -9_223_372_036_854_775_808.0 { return .min }
    return Int64(product)
}
