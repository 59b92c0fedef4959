extension GroupedSeries {
    /// `(a[lo] + a[hi]) / 2` of each sorted period, `lo` and `hi` the middle ranks.
    func median() -> Series {
        Series(
            timestamps: periods,
            values: perPeriodRanks { ranks, v, lo, hi in
                let n = hi - lo
                let low = n - 1 - n / 2
                let (a, b) = ranks.pair(v, lo, hi, low, n % 2 == 1 ? low : low + 1)
                return (a + b) / 2
            })
    }

    /// Gnocchi's `Npct`: linear interpolation between the ranks around
    /// `offset + (count - 1) * q / 100`, where `offset` is the period's first index in the
    /// grouped points. The offset takes part because Gnocchi computes positions over the
    /// whole series at once, and it changes the rounding of the interpolation weights.
    func percentile(_ q: Double) -> Series {
        let fraction = q / 100
        let first = bounds[0]
        return Series(
            timestamps: periods,
            values: perPeriodRanks { ranks, v, lo, hi in
                let offset = lo - first
                let position = Double(offset) + Double(hi - lo - 1) * fraction
                // `position` is never negative, so truncation is the floor.
                let floorPosition = Int(position)
                let ceilPosition = Double(floorPosition) < position ? floorPosition + 1 : floorPosition
                let last = hi - lo - 1
                let low = Swift.min(Swift.max(floorPosition - offset, 0), last)
                let high = Swift.min(Swift.max(ceilPosition - offset, 0), last)
                let (a, b) = ranks.pair(v, lo, hi, low, high)
                if floorPosition == ceilPosition { return a }
                return a * (Double(ceilPosition) - position) + b * (position - Double(floorPosition))
            })
    }

    /// One value per period from `reduce(ranks, values, lo, hi)`, with scratch space for
    /// the largest period allocated once.
    @inline(__always)
    func perPeriodRanks(_ reduce: (PeriodRanks, UnsafePointer<Double>, Int, Int) -> Double) -> [Double] {
        var largest = 0
        for k in periods.indices { largest = Swift.max(largest, bounds[k + 1] - bounds[k]) }
        return withUnsafeTemporaryAllocation(of: Double.self, capacity: largest) { scratch in
            perPeriod { v, lo, hi in
                reduce(PeriodRanks(scratch: scratch.baseAddress.unsafelyUnwrapped), v, lo, hi)
            }
        }
    }
}

/// Reads values of given rank in one period, in the order of Gnocchi's
/// `numpy.lexsort`: ascending, NaN after everything, equal values in time order (which
/// matters only for `-0.0` against `0.0` and for NaN payloads).
///
/// The ranks are found by selection in a scratch copy rather than a full sort; ties of
/// zeros and NaNs, the only equal values that differ in bits, are then resolved by
/// counting them in time order.
struct PeriodRanks {
    /// Room for the largest period.
    let scratch: UnsafeMutablePointer<Double>

    /// The values of rank `i` and `j` (`i <= j <= i + 1`) of `v[lo..<hi]`.
    @inline(__always)
    func pair(_ v: UnsafePointer<Double>, _ lo: Int, _ hi: Int, _ i: Int, _ j: Int) -> (Double, Double) {
        if hi - lo == 1 { return (v[lo], v[lo]) }
        var ordered = 0
        for k in lo..<hi {
            let x = v[k]
            scratch[ordered] = x
            ordered += x.isNaN ? 0 : 1
        }
        var a: Double
        var b: Double
        if i >= ordered {
            a = Self.nthNaN(v, lo, hi, i - ordered)
        } else {
            Self.select(scratch, ordered, i)
            a = scratch[i]
        }
        if j == i {
            b = a
        } else if j >= ordered {
            b = Self.nthNaN(v, lo, hi, j - ordered)
        } else {
            // After selection the ranks above `i` are in `scratch[(i + 1)..<ordered]`.
            b = scratch[j]
            for k in (j + 1)..<ordered where scratch[k] < b { b = scratch[k] }
        }
        if a == 0 || b == 0 {
            var negatives = 0
            for k in lo..<hi where v[k] < 0 { negatives += 1 }
            if a == 0 { a = Self.nthZero(v, lo, hi, i - negatives) }
            if b == 0 { b = Self.nthZero(v, lo, hi, j - negatives) }
        }
        return (a, b)
    }

    /// The `r`-th NaN (from 0) of `v[lo..<hi]` in time order.
    static func nthNaN(_ v: UnsafePointer<Double>, _ lo: Int, _ hi: Int, _ r: Int) -> Double {
        var seen = 0
        for k in lo..<hi where v[k].isNaN {
            if seen == r { return v[k] }
            seen += 1
        }
        preconditionFailure("BUG: rank beyond the NaNs of a period")
    }

    /// The `r`-th zero (from 0, `-0.0` or `0.0`) of `v[lo..<hi]` in time order.
    static func nthZero(_ v: UnsafePointer<Double>, _ lo: Int, _ hi: Int, _ r: Int) -> Double {
        var seen = 0
        for k in lo..<hi where v[k] == 0 {
            if seen == r { return v[k] }
            seen += 1
        }
        preconditionFailure("BUG: rank beyond the zeros of a period")
    }

    /// Rearranges `a[0..<count]` (no NaN) so that `a[k]` holds the value of rank `k`, with
    /// nothing greater before it and nothing smaller after it.
    ///
    /// Quickselect (median-of-three pivot, Hoare partition) in expected linear time; after
    /// a logarithmic number of rounds it sorts what is left, so crafted input cannot make
    /// it quadratic.
    static func select(_ a: UnsafeMutablePointer<Double>, _ count: Int, _ k: Int) {
        var lo = 0
        var hi = count - 1
        var rounds = 2 * (Int.bitWidth - count.leadingZeroBitCount) + 8
        while hi - lo > 16 {
            if rounds == 0 {
                var rest = UnsafeMutableBufferPointer(start: a + lo, count: hi - lo + 1)
                rest.sort()
                return
            }
            rounds -= 1
            let mid = lo + (hi - lo) / 2
            if a[mid] < a[lo] { a.swapAt(mid, lo) }
            if a[hi] < a[lo] { a.swapAt(hi, lo) }
            if a[hi] < a[mid] { a.swapAt(hi, mid) }
            let pivot = a[mid]
            var i = lo
            var j = hi
            while i <= j {
                while a[i] < pivot { i += 1 }
                while pivot < a[j] { j -= 1 }
                if i <= j {
                    a.swapAt(i, j)
                    i += 1
                    j -= 1
                }
            }
            // Now a[lo...j] <= pivot <= a[i...hi], and anything between equals the pivot.
            if k <= j {
                hi = j
            } else if k >= i {
                lo = i
            } else {
                return
            }
        }
        // Insertion sort of the short rest.
        if lo < hi {
            for x in (lo + 1)...hi {
                let value = a[x]
                var y = x
                while y > lo && value < a[y - 1] {
                    a[y] = a[y - 1]
                    y -= 1
                }
                a[y] = value
            }
        }
    }
}

extension UnsafeMutablePointer where Pointee == Double {
    @inline(__always)
    fileprivate func swapAt(_ i: Int, _ j: Int) {
        let t = self[i]
        self[i] = self[j]
        self[j] = t
    }
}
