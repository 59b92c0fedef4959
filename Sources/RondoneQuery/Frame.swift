import RondoneTimeSeries

/// The series of one granularity laid on a common time axis: Gnocchi's `(granularity,
/// timestamps, values)` triple with `values` held column by column (one array per
/// series), so that per-series operations run over contiguous memory.
///
/// Invariant: every column has `timestamps.count` values; missing points are NaN.
public struct Frame: Sendable, Equatable {
    /// Nanoseconds between periods (for calendar periods, the granularity they were
    /// resampled from).
    public var granularity: Int64
    /// Set once the series were resampled to calendar periods (`resample mean M`):
    /// time stamps are then period starts and the output names the grouping.
    public var calendar: CalendarGrouping?
    /// Increasing, unique.
    public var timestamps: [Int64]
    public var columns: [[Double]]

    public init(
        granularity: Int64, calendar: CalendarGrouping? = nil, timestamps: [Int64], columns: [[Double]]
    ) {
        precondition(
            columns.allSatisfy { $0.count == timestamps.count }, "BUG: frame columns differ in length")
        self.granularity = granularity
        self.calendar = calendar
        self.timestamps = timestamps
        self.columns = columns
    }

    /// The series laid on the union of their time stamps (numpy's `unique` of the
    /// concatenation), each missing point set to `filler`.
    ///
    /// Series are sorted and unique (``Series``), so the union is a merge, not a sort;
    /// series of one policy and period usually share one axis exactly, and then the
    /// axis and every column are the series' own arrays, not copies.
    public init(granularity: Int64, series: [Series], filler: Double) {
        let unique = Self.union(series)
        var columns: [[Double]] = []
        columns.reserveCapacity(series.count)
        for one in series {
            if one.timestamps == unique {
                columns.append(one.values)
                continue
            }
            var column = [Double](repeating: filler, count: unique.count)
            // Both sides are sorted: one merge pass places every point.
            var row = 0
            for (timestamp, value) in zip(one.timestamps, one.values) {
                while unique[row] < timestamp { row += 1 }
                column[row] = value
            }
            columns.append(column)
        }
        self.init(granularity: granularity, timestamps: unique, columns: columns)
    }

    /// The sorted union of the series' (sorted, unique) time stamps: the shared axis
    /// when they all have the same one, otherwise merged in pairs (n log k for k series).
    static func union(_ series: [Series]) -> [Int64] {
        guard let first = series.first?.timestamps else { return [] }
        if series.allSatisfy({ $0.timestamps == first }) { return first }
        var runs = series.map(\.timestamps)
        while runs.count > 1 {
            var merged: [[Int64]] = []
            merged.reserveCapacity((runs.count + 1) / 2)
            for index in stride(from: 0, to: runs.count, by: 2) {
                merged.append(index + 1 < runs.count ? merge(runs[index], runs[index + 1]) : runs[index])
            }
            runs = merged
        }
        return runs[0]
    }

    /// The sorted union of two sorted, unique arrays, each value once.
    static func merge(_ left: [Int64], _ right: [Int64]) -> [Int64] {
        if left.isEmpty || left == right { return right }
        if right.isEmpty { return left }
        var out = [Int64]()
        out.reserveCapacity(left.count + right.count)
        left.withUnsafeBufferPointer { a in
            right.withUnsafeBufferPointer { b in
                var i = 0
                var j = 0
                while i < a.count && j < b.count {
                    let x = a[i]
                    let y = b[j]
                    if x <= y {
                        out.append(x)
                        i += 1
                        if x == y { j += 1 }
                    } else {
                        out.append(y)
                        j += 1
                    }
                }
                out.append(contentsOf: a[i...])
                out.append(contentsOf: b[j...])
            }
        }
        return out
    }

    public var rowCount: Int { timestamps.count }

    /// Keeps the rows in `range`.
    mutating func keepRows(_ range: Range<Int>) {
        timestamps = Array(timestamps[range])
        for index in columns.indices { columns[index] = Array(columns[index][range]) }
    }

    /// Whether no column is NaN at `row`.
    func isComplete(row: Int) -> Bool {
        columns.allSatisfy { !$0[row].isNaN }
    }

    /// Each column's NaNs replaced by the last value before them (leading NaNs stay),
    /// Gnocchi's `forward_fill`.
    mutating func forwardFill() {
        for index in columns.indices {
            var last = Double.nan
            var seen = false
            for row in columns[index].indices {
                if columns[index][row].isNaN {
                    if seen { columns[index][row] = last }
                } else {
                    last = columns[index][row]
                    seen = true
                }
            }
        }
    }

    /// Each column's NaNs replaced by the next value after them (trailing NaNs stay),
    /// Gnocchi's `backward_fill`.
    mutating func backwardFill() {
        for index in columns.indices {
            var next = Double.nan
            var seen = false
            for row in columns[index].indices.reversed() {
                if columns[index][row].isNaN {
                    if seen { columns[index][row] = next }
                } else {
                    next = columns[index][row]
                    seen = true
                }
            }
        }
    }
}
