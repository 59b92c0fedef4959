/// numpy's NaN-ignoring reductions, as Gnocchi's `AGG_MAP` applies them to the values
/// of one time stamp across series (`aggregate`) or of one window (`rolling`).
///
/// Sums run left to right, which is numpy's order for `aggregate` (it reduces across
/// the series of a column-major grid one series at a time). numpy's pairwise summation
/// of contiguous runs differs from that in the last bit only for windows of nine or
/// more points (`rolling`).
extension CrossAggregation.Method {
    /// The reduction of `values` (which may hold NaNs); `scratch` is reused between
    /// calls to keep `median` from allocating per time stamp.
    func reduce(_ values: UnsafeBufferPointer<Double>, scratch: inout [Double]) -> Double {
        switch self {
        case .sum:
            var total = 0.0
            for value in values where !value.isNaN { total += value }
            return total
        case .count:
            var count = 0
            for value in values where !value.isNaN { count += 1 }
            return Double(count)
        case .mean:
            var total = 0.0
            var count = 0
            for value in values where !value.isNaN {
                total += value
                count += 1
            }
            return count == 0 ? .nan : total / Double(count)
        case .min, .max:
            var result = Double.nan
            for value in values where !value.isNaN {
                if result.isNaN || (self == .min ? value < result : value > result) { result = value }
            }
            return result
        case .var: return Self.variance(values)
        case .std: return Self.variance(values).squareRoot()
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
    static func variance(_ values: UnsafeBufferPointer<Double>) -> Double {
        var total = 0.0
        var count = 0
        for value in values where !value.isNaN {
            total += value
            count += 1
        }
        guard count > 0 else { return .nan }
        let mean = total / Double(count)
        var squares = 0.0
        for value in values where !value.isNaN {
            let deviation = value - mean
            squares += deviation * deviation
        }
        return squares / Double(count)
    }
}
