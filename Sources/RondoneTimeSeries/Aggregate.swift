/// Aggregates `series` into periods of `granularity` (Gnocchi's `group_serie` followed
/// by one aggregation method).
///
/// A point at time `t` belongs to the period starting at `floor(t / granularity)`.
/// With `start`, only points at or after `start` are grouped (Gnocchi's `start` of
/// `GroupedTimeSeries`); a `rate:` aggregation also looks at the one point before, so
/// that the first difference can be formed. The result holds one point per non-empty
/// period, except that `std` skips periods with a single point.
///
/// This first version is plain and slow; it fixes the contract.
public func aggregate(
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
    var result = Series()
    var i = begin
    while i < input.count {
        let period = floorToMultiple(input.timestamps[i], granularity.nanoseconds)
        var j = i
        while j < input.count && floorToMultiple(input.timestamps[j], granularity.nanoseconds) == period {
            j += 1
        }
        if let value = reduce(Array(input.values[i..<j]), aggregation.method) {
            result.append(period, value)
        }
        i = j
    }
    return result
}

private func reduce(_ values: [Double], _ method: AggregationMethod) -> Double? {
    let n = Double(values.count)
    var sum = 0.0
    for v in values { sum += v }
    switch method {
    case .mean: return sum / n
    case .sum: return sum
    case .count: return n
    case .first: return values.first
    case .last: return values.last
    case .min: return values.min()
    case .max: return values.max()
    case .std:
        guard values.count > 1 else { return nil }
        let mean = sum / n
        var squares = 0.0
        for v in values { squares += (v - mean) * (v - mean) }
        return (squares / (n - 1)).squareRoot()
    case .median:
        return quantile(values.sorted(), 50)
    case .percentile(let q):
        return quantile(values.sorted(), Double(q))
    }
}

private func quantile(_ sorted: [Double], _ q: Double) -> Double {
    let position = Double(sorted.count - 1) * (q / 100)
    let low = Int(position.rounded(.down))
    let high = Int(position.rounded(.up))
    if low == high { return sorted[low] }
    return sorted[low] * (Double(high) - position) + sorted[high] * (position - Double(low))
}
