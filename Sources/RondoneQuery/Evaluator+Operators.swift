#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// libm's functions under names the operator enums do not shadow (`.cos` is a case).
private func libmCos(_ x: Double) -> Double { cos(x) }
private func libmSin(_ x: Double) -> Double { sin(x) }
private func libmTan(_ x: Double) -> Double { tan(x) }
private func libmPow(_ x: Double, _ y: Double) -> Double { pow(x, y) }
private func libmFmod(_ x: Double, _ y: Double) -> Double { fmod(x, y) }

extension UnaryOperator {
    /// The operator over a number or over every column of a frame.
    func apply(to value: Evaluator.Value) -> Evaluator.Value {
        guard case .frame(var frame) = value else {
            if case .number(let number) = value, let scalar = scalar(number) { return .number(scalar) }
            // The time-stamped operators have no meaning on a constant (Gnocchi fails).
            return value
        }
        switch self {
        case .rateOfChange:
            guard frame.rowCount > 0 else { return .frame(frame) }
            frame.timestamps.removeFirst()
            for index in frame.columns.indices {
                let column = frame.columns[index]
                frame.columns[index] = (1..<column.count).map { column[$0] - column[$0 - 1] }
            }
        case .rateOfChangePerSecond:
            let timestamps = frame.timestamps
            for index in frame.columns.indices {
                let column = frame.columns[index]
                frame.columns[index] = column.indices.map { row in
                    guard row > 0 else { return .nan }
                    let seconds = Double(timestamps[row] - timestamps[row - 1]) / 1e9
                    return (column[row] - column[row - 1]) / seconds
                }
            }
        default:
            for index in frame.columns.indices {
                frame.columns[index] = frame.columns[index].map { scalar($0)! }
            }
        }
        return .frame(frame)
    }

    /// The element-wise function; nil for the operators that need time stamps.
    func scalar(_ x: Double) -> Double? {
        switch self {
        case .absolute: x.magnitude
        case .negative: -x
        case .cos: libmCos(x)
        case .sin: libmSin(x)
        case .tan: libmTan(x)
        case .floor: x.rounded(.down)
        case .ceil: x.rounded(.up)
        case .rateOfChange, .rateOfChangePerSecond: nil
        }
    }
}

extension BinaryOperator {
    /// numpy's element-wise function (comparisons as 1.0 or 0.0).
    func apply(_ x: Double, _ y: Double) -> Double {
        switch self {
        case .equal: x == y ? 1 : 0
        case .notEqual: x != y ? 1 : 0
        case .less: x < y ? 1 : 0
        case .lessEqual: x <= y ? 1 : 0
        case .greater: x > y ? 1 : 0
        case .greaterEqual: x >= y ? 1 : 0
        case .add: x + y
        case .subtract: x - y
        case .multiply: x * y
        case .divide: x / y
        case .modulo: Self.pythonModulo(x, y)
        case .power: libmPow(x, y)
        case .clipMin: Evaluator.clip(x, low: y, high: nil)
        case .clipMax: x.isNaN || y.isNaN ? .nan : Swift.min(x, y)
        case .max: x.isNaN ? y : y.isNaN ? x : Swift.max(x, y)
        }
    }

    /// numpy's `mod` of floats: the remainder takes the sign of the divisor (Python's
    /// `%`), NaN for a zero divisor or an infinite dividend.
    static func pythonModulo(_ x: Double, _ y: Double) -> Double {
        guard y != 0, x.isFinite, !y.isNaN else { return .nan }
        if y.isInfinite { return x == 0 || (x > 0) == (y > 0) ? x : y }
        var remainder = libmFmod(x, y)
        if remainder != 0 {
            if (remainder < 0) != (y < 0) { remainder += y }
        } else {
            // A zero remainder carries the divisor's sign, as in numpy.
            remainder = y < 0 ? -0.0 : 0.0
        }
        return remainder
    }
}

extension CrossAggregation {
    /// One column: the reduction of each row across the frame's columns (then, for
    /// `rate:`, the differences of consecutive results).
    func across(_ frame: Frame) -> Frame {
        var reduced: [Double]
        switch method {
        case .sum, .mean, .count:
            reduced = Self.columnByColumn(method, frame)
        default:
            reduced = [Double](repeating: 0, count: frame.rowCount)
            var row = [Double](repeating: 0, count: frame.columns.count)
            var scratch: [Double] = []
            for index in 0..<frame.rowCount {
                for column in frame.columns.indices { row[column] = frame.columns[column][index] }
                reduced[index] = row.withUnsafeBufferPointer {
                    method.reduce($0, summation: .sequential, scratch: &scratch)
                }
            }
        }
        var timestamps = frame.timestamps
        if isRate {
            reduced = Self.differences(reduced)
            if !timestamps.isEmpty { timestamps.removeFirst() }
        }
        return Frame(
            granularity: frame.granularity, calendar: frame.calendar, timestamps: timestamps,
            columns: [reduced])
    }

    /// `sum`, `mean` or `count` of each row, accumulated one column at a time: the same
    /// additions in the same order as ``CrossAggregation/Method/reduce(_:summation:scratch:)``
    /// with `.sequential` (first column, then each next one; NaN as zero, not counted),
    /// so the results are equal bit for bit, but every pass reads contiguous memory
    /// instead of gathering a row from every column.
    static func columnByColumn(_ method: Method, _ frame: Frame) -> [Double] {
        let rows = frame.rowCount
        var sums = [Double](repeating: 0, count: rows)
        var counts = [Int](repeating: 0, count: rows)
        sums.withUnsafeMutableBufferPointer { sums in
            counts.withUnsafeMutableBufferPointer { counts in
                for (index, column) in frame.columns.enumerated() {
                    column.withUnsafeBufferPointer { values in
                        for row in 0..<rows {
                            let value = values[row]
                            let present = !value.isNaN
                            // The first term is assigned, not added to 0: -0.0 stays -0.0.
                            let term = present ? value : 0
                            sums[row] = index == 0 ? term : sums[row] + term
                            counts[row] &+= present ? 1 : 0
                        }
                    }
                }
            }
        }
        switch method {
        case .sum: return sums
        case .count: return counts.map(Double.init)
        default: return zip(sums, counts).map { sum, count in count == 0 ? .nan : sum / Double(count) }
        }
    }

    /// Each column reduced over windows of `window` consecutive points, stamped with
    /// the last point of the window. `window` must not exceed the row count.
    func rolling(_ frame: Frame, window: Int) -> Frame {
        let count = frame.rowCount - window + 1
        var timestamps = Array(frame.timestamps[(window - 1)...])
        var scratch: [Double] = []
        var columns: [[Double]] = []
        for column in frame.columns {
            var reduced = [Double](repeating: 0, count: count)
            column.withUnsafeBufferPointer { values in
                for start in 0..<count {
                    reduced[start] = method.reduce(
                        UnsafeBufferPointer(rebasing: values[start..<(start + window)]), summation: .pairwise,
                        scratch: &scratch)
                }
            }
            columns.append(isRate ? Self.differences(reduced) : reduced)
        }
        if isRate && !timestamps.isEmpty { timestamps.removeFirst() }
        return Frame(
            granularity: frame.granularity, calendar: frame.calendar, timestamps: timestamps, columns: columns
        )
    }

    static func differences(_ values: [Double]) -> [Double] {
        values.count < 2 ? [] : (1..<values.count).map { values[$0] - values[$0 - 1] }
    }
}
