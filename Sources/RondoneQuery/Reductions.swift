/// numpy's NaN-ignoring reductions, as Gnocchi's `AGG_MAP` applies them to the values
/// of one time stamp across series (`aggregate`) or of one window (`rolling`).
///
/// Sums follow numpy's order so that results match bit for bit: left to right across
/// series (`aggregate`: numpy reduces a column-major grid one series at a time), and
/// numpy's pairwise summation over a window (`rolling`: each window is contiguous).
/// NaNs count as zeros in those sums, as numpy's `nan*` functions replace them.
enum Summation {
    case sequential, pairwise

    /// The sum of `element(0) … element(count - 1)`.
    @inline(__always)
    func sum(_ count: Int, _ element: (Int) -> Double) -> Double {
        switch self {
        case .sequential:
            guard count > 0 else { return 0 }
            var total = element(0)
            for index in 1..<count { total += element(index) }
            return total
        case .pairwise: return Self.pairwise(0, count, element)
        }
    }

    /// numpy's `pairwise_sum`: plain below 8 terms, 8 accumulators up to 128, halves above.
    static func pairwise(_ start: Int, _ count: Int, _ element: (Int) -> Double) -> Double {
        if count < 8 {
            var total = 0.0
            for index in start..<(start + count) { total += element(index) }
            return total
        }
        if count <= 128 {
            var r0 = element(start), r1 = element(start + 1), r2 = element(start + 2)
            var r3 = element(start + 3), r4 = element(start + 4), r5 = element(start + 5)
            var r6 = element(start + 6), r7 = element(start + 7)
            var index = start + 8
            let blocksEnd = start + count - count % 8
            while index < blocksEnd {
                r0 += element(index)
                r1 += element(index + 1)
                r2 += element(index + 2)
                r3 += element(index + 3)
                r4 += element(index + 4)
                r5 += element(index + 5)
                r6 += element(index + 6)
                r7 += element(index + 7)
                index += 8
            }
            var total = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
            while index < start + count {
                total += element(index)
                index += 1
            }
            return total
        }
        var half = count / 2
        half -= half % 8
        return pairwise(start, half, element) + pairwise(start + half, count - half, element)
    }
}

extension CrossAggregation.Method {
    /// The reduction of `values` (which may hold NaNs), summing in `summation` order;
    /// `scratch` is reused between calls to keep `median` from allocating per row.
    func reduce(
        _ values: UnsafeBufferPointer<Double>, summation: Summation, scratch: inout [Double]
    ) -> Double {
        func zeroingNaN(_ index: Int) -> Double { values[index].isNaN ? 0 : values[index] }
        switch self {
        case .sum:
            return summation.sum(values.count, zeroingNaN)
        case .count:
            var count = 0
            for value in values where !value.isNaN { count += 1 }
            return Double(count)
        case .mean:
            var count = 0
            for value in values where !value.isNaN { count += 1 }
            return count == 0 ? .nan : summation.sum(values.count, zeroingNaN) / Double(count)
        case .min, .max:
            var result = Double.nan
            for value in values where !value.isNaN {
                if result.isNaN || (self == .min ? value < result : value > result) { result = value }
            }
            return result
        case .var: return Self.variance(values, summation)
        case .std: return Self.variance(values, summation).squareRoot()
        case .median:
            scratch.removeAll(keepingCapacity: true)
            for value in values where !value.isNaN { scratch.append(value) }
            guard !scratch.isEmpty else { return .nan }
            scratch.sort()
            let middle = scratch.count / 2
            return scratch.count % 2 == 1 ? scratch[middle] : (scratch[middle - 1] + scratch[middle]) / 2
        }
    }

    /// numpy's `nanvar` with `ddof=0`: the mean of squared deviations from the mean.
    static func variance(_ values: UnsafeBufferPointer<Double>, _ summation: Summation) -> Double {
        var count = 0
        for value in values where !value.isNaN { count += 1 }
        guard count > 0 else { return .nan }
        let mean = summation.sum(values.count) { values[$0].isNaN ? 0 : values[$0] } / Double(count)
        let squares = summation.sum(values.count) { index in
            guard !values[index].isNaN else { return 0 }
            let deviation = values[index] - mean
            return deviation * deviation
        }
        return squares / Double(count)
    }
}
