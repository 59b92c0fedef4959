@testable import RondoneTimeSeries

/// The naive oracle for ``aggregate(_:granularity:start:aggregation:)``: Gnocchi 4.7's
/// `GroupedTimeSeries` restated one period at a time, with plain arrays and a full sort,
/// written for obviousness rather than speed.
///
/// It mirrors numpy's operation order (sums from `0.0` in time order, the sorted order
/// of `lexsort`/small `argsort`: ascending, NaN last, ties in time order), so the fast
/// implementation must equal it bit for bit.
func referenceAggregate(
    _ series: Series, granularity: TimeDelta, start: Timestamp? = nil, aggregation: Aggregation
) -> Series {
    var input = series
    if aggregation.isRate {
        let from = start.map { series.lowerBound($0.nanoseconds - granularity.nanoseconds) } ?? 0
        var derived = Series()
        if from + 1 < series.count {
            for i in (from + 1)..<series.count {
                derived.append(series.timestamps[i], series.values[i] - series.values[i - 1])
            }
        }
        input = derived
    }
    let begin = start.map { input.lowerBound($0.nanoseconds) } ?? 0
    let g = Double(granularity.nanoseconds)
    // Gnocchi's round_timestamp: floor of a floating-point division, scaled back.
    let period = { (t: Int64) in Int64((Double(t) / g).rounded(.down) * g) }
    var result = Series()
    var i = begin
    while i < input.count {
        let p = period(input.timestamps[i])
        var j = i
        while j < input.count && period(input.timestamps[j]) == p { j += 1 }
        if let value = referenceReduce(Array(input.values[i..<j]), offset: i - begin, aggregation.method) {
            result.append(p, value)
        }
        i = j
    }
    return result
}

/// `values` in numpy's stable sorted order: ascending, NaN last, ties in input order.
func referenceSorted(_ values: [Double]) -> [Double] {
    let order = values.indices.sorted { i, j in
        let a = values[i]
        let b = values[j]
        if a.isNaN || b.isNaN {
            return a.isNaN && b.isNaN ? i < j : b.isNaN
        }
        return a < b || (a == b && i < j)
    }
    return order.map { values[$0] }
}

/// One period's value; `offset` is the period's first index among the grouped points.
func referenceReduce(_ values: [Double], offset: Int, _ method: AggregationMethod) -> Double? {
    let n = Double(values.count)
    var sum = 0.0
    for v in values { sum += v }
    let sorted = referenceSorted(values)
    switch method {
    case .mean: return sum / n
    case .sum: return sum
    case .count: return n
    case .first: return values.first
    case .last: return values.last
    case .min: return sorted.first
    case .max: return sorted.last
    case .std:
        guard values.count > 1 else { return nil }
        let mean = sum / n
        var squares = 0.0
        for v in values { squares += (v - mean) * (v - mean) }
        return (squares / (n - 1)).squareRoot()
    case .median:
        let low = values.count - 1 - values.count / 2
        let high = values.count % 2 == 1 ? low : low + 1
        return (sorted[low] + sorted[high]) / 2
    case .percentile(let q):
        let position = Double(offset) + Double(values.count - 1) * (Double(q) / 100)
        let low = position.rounded(.down)
        let high = position.rounded(.up)
        let a = sorted[Int(low) - offset]
        let b = sorted[Int(high) - offset]
        if low == high { return a }
        return a * (high - position) + b * (position - low)
    }
}
