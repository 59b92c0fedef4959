extension GroupedSeries {
    /// One aggregation: the method applied to each period, or to each period of the rate
    /// of change for a `rate:` aggregation (which derives the series first, see
    /// ``derived()``; to share that work between several `rate:` methods, call
    /// ``derived()`` once and aggregate its methods).
    public func aggregate(_ aggregation: Aggregation) -> Series {
        aggregation.isRate ? derived().aggregate(aggregation.method) : aggregate(aggregation.method)
    }

    /// `method` applied to the points of each period, one point per period at its start
    /// (`std` leaves out periods of a single point), equal to Gnocchi 4.7 bit for bit:
    ///
    /// * `sum`, `mean`, `std`: sums added one value at a time in time order from `0.0`,
    ///   as `numpy.bincount` does; `mean` is that sum divided by the count, `std` the
    ///   square root of the summed squared deviations from that mean over `count - 1`.
    /// * `min` ignores NaN unless the period holds nothing else; `max` is NaN if the
    ///   period holds a NaN (Gnocchi reads both off one ascending argsort, NaN last).
    /// * `median` is `(a[lo] + a[hi]) / 2` of the sorted period (it overflows to
    ///   infinity for values beyond ±9e307 as Gnocchi's does), `Npct` Gnocchi's
    ///   interpolation, whose rounding depends on the period's offset in the series.
    ///
    /// Where numpy's result is not deterministic Rondone picks one: when `-0.0` and `0.0`
    /// tie for the minimum (maximum) the first (last) in time order is returned, as numpy
    /// does for short inputs; numpy's vectorized argsort orders such ties arbitrarily on
    /// long ones. The same holds for which NaN `min`/`max` return.
    public func aggregate(_ method: AggregationMethod) -> Series {
        switch method {
        case .count: return Series(timestamps: periods, values: perPeriod { Double($1 - $0) })
        case .first: return Series(timestamps: periods, values: perPeriod { v, lo, _ in v[lo] })
        case .last: return Series(timestamps: periods, values: perPeriod { v, _, hi in v[hi - 1] })
        case .sum: return Series(timestamps: periods, values: perPeriod(Self.sum))
        case .mean:
            return Series(
                timestamps: periods, values: perPeriod { v, lo, hi in Self.sum(v, lo, hi) / Double(hi - lo) })
        case .min: return Series(timestamps: periods, values: perPeriod(Self.minimum))
        case .max: return Series(timestamps: periods, values: perPeriod(Self.maximum))
        case .std: return standardDeviation()
        case .median: return median()
        case .percentile(let q): return percentile(Double(q))
        }
    }

    /// One value per period from `reduce(values, lo, hi)` over `values[lo..<hi]`.
    @inline(__always)
    func perPeriod(_ reduce: (UnsafePointer<Double>, Int, Int) -> Double) -> [Double] {
        let count = periods.count
        return [Double](unsafeUninitializedCapacity: count) { out, initialized in
            values.withUnsafeBufferPointer { v in
                bounds.withUnsafeBufferPointer { b in
                    guard let base = v.baseAddress else { return }
                    for k in 0..<count { out[k] = reduce(base, b[k], b[k + 1]) }
                }
            }
            initialized = count
        }
    }

    /// One value per period from `(values[lo..<hi], lo, hi)`.
    @inline(__always)
    func perPeriod(_ reduce: (Int, Int) -> Double) -> [Double] {
        perPeriod { _, lo, hi in reduce(lo, hi) }
    }

    /// The sum in time order from `0.0`, numpy.bincount's order (so `-0.0` sums to `0.0`).
    @inline(__always)
    static func sum(_ v: UnsafePointer<Double>, _ lo: Int, _ hi: Int) -> Double {
        var total = 0.0
        for i in lo..<hi { total += v[i] }
        return total
    }

    /// The first smallest non-NaN value, or the first NaN if there is nothing else.
    @inline(__always)
    static func minimum(_ v: UnsafePointer<Double>, _ lo: Int, _ hi: Int) -> Double {
        var result = v[lo]
        for i in (lo + 1)..<hi {
            let x = v[i]
            if x < result || (result.isNaN && !x.isNaN) { result = x }
        }
        return result
    }

    /// The last NaN if there is one, else the last largest value.
    @inline(__always)
    static func maximum(_ v: UnsafePointer<Double>, _ lo: Int, _ hi: Int) -> Double {
        var result = v[lo]
        for i in (lo + 1)..<hi {
            let x = v[i]
            // Once `result` is NaN only another NaN replaces it (`x >= NaN` is false).
            if x >= result || x.isNaN { result = x }
        }
        return result
    }

    /// Sample standard deviation of each period of two points or more.
    func standardDeviation() -> Series {
        var timestamps: [Int64] = []
        var deviations: [Double] = []
        values.withUnsafeBufferPointer { v in
            bounds.withUnsafeBufferPointer { b in
                guard let base = v.baseAddress else { return }
                for k in periods.indices where b[k + 1] - b[k] > 1 {
                    let lo = b[k]
                    let hi = b[k + 1]
                    let n = Double(hi - lo)
                    let mean = Self.sum(base, lo, hi) / n
                    var squares = 0.0
                    for i in lo..<hi {
                        let d = base[i] - mean
                        squares += d * d
                    }
                    timestamps.append(periods[k])
                    deviations.append((squares / (n - 1)).squareRoot())
                }
            }
        }
        return Series(timestamps: timestamps, values: deviations)
    }
}
