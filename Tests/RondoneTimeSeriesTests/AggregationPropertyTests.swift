import RondoneTesting
import Testing

@testable import RondoneTimeSeries

/// The kinds of values a random series is drawn from.
enum ValueKind: CaseIterable {
    case integers, uniform, huge, tiny, duplicates, zeros, specials
}

/// A random series: sorted unique time stamps (sometimes before the epoch, sometimes
/// nanoseconds off period ends), values of one kind.
func randomSeries(_ rng: inout SplitMix64, kind: ValueKind, count: Int, granularity: Int64) -> Series {
    let origin: Int64 = Bool.random(using: &rng) ? 1_700_000_000_000_000_000 : -3_600_000_000_000
    var t = origin + Int64.random(in: 0..<granularity * 3, using: &rng)
    var series = Series()
    for _ in 0..<count {
        let value: Double
        switch kind {
        case .integers: value = Double(Int.random(in: -20...20, using: &rng))
        case .uniform: value = Double.random(in: -1000...1000, using: &rng)
        case .huge:
            value =
                Double.random(in: -1...1, using: &rng) * 1e300 * Double(Int.random(in: 1...9, using: &rng))
        case .tiny: value = Double.random(in: -1...1, using: &rng) * 1e-300
        case .duplicates: value = [1.5, -2.25, 7.0][Int.random(in: 0..<3, using: &rng)]
        case .zeros: value = [0.0, -0.0, 1.0, -1.0][Int.random(in: 0..<4, using: &rng)]
        case .specials:
            value =
                [Double.nan, .infinity, -.infinity, 0.0, -0.0, 1e308, -1e308, 3.0][
                    Int.random(in: 0..<8, using: &rng)]
        }
        series.append(t, value)
        switch Int.random(in: 0..<4, using: &rng) {
        case 0: t += Int64.random(in: 1...granularity / 16 + 1, using: &rng)  // many per period
        case 1: t += Int64.random(in: 1...granularity * 2, using: &rng)
        case 2:  // just before the next period end, where float grouping differs
            let end = floorToMultiple(t, granularity) + granularity * Int64.random(in: 1...2, using: &rng)
            t = max(t + 1, end - Int64.random(in: 1...400, using: &rng))
        default: t += granularity * Int64.random(in: 1...5, using: &rng)
        }
    }
    return series
}

let propertyAggregations: [Aggregation] = {
    let methods: [AggregationMethod] =
        [.mean, .sum, .last, .first, .max, .min, .median, .std, .count]
        + [1, 5, 25, 33, 50, 75, 95, 99].map { .percentile($0) }
    return methods.map { Aggregation($0) } + methods.map { Aggregation($0, rate: true) }
}()

/// Every method, with and without `rate:`, equals the naive reference bit for bit on
/// random series. No tolerance is needed: both follow numpy's order of operations.
@Suite struct AggregationPropertyTests {
    static let granularities: [Int64] = [
        1, 3, 1_000, 1_000_000_000, 7_000_000_000, 60_000_000_000, 3_600_000_000_000,
    ]

    @Test(arguments: ValueKind.allCases)
    func equalsReference(kind: ValueKind) {
        var rng = SplitMix64(seed: 0xA66 &+ UInt64(ValueKind.allCases.firstIndex(of: kind)!))
        for round in 0..<60 {
            let granularity = Self.granularities[round % Self.granularities.count]
            let count = [
                1, 2, 3, Int.random(in: 4...40, using: &rng), Int.random(in: 41...400, using: &rng),
            ][round % 5]
            let series = randomSeries(&rng, kind: kind, count: count, granularity: granularity)
            let g = TimeDelta(nanoseconds: granularity)
            var starts: [Timestamp?] = [nil]
            if let first = series.first, let last = series.last {
                let middle = first.nanoseconds + (last.nanoseconds - first.nanoseconds) / 2
                starts.append(Timestamp(nanoseconds: floorToMultiple(middle, granularity)))
                starts.append(Timestamp(nanoseconds: last.nanoseconds + 1))
            }
            for start in starts {
                let grouped = aggregate(
                    series, granularity: g, start: start, aggregations: propertyAggregations)
                for (aggregation, result) in zip(propertyAggregations, grouped) {
                    let expected = referenceAggregate(
                        series, granularity: g, start: start, aggregation: aggregation)
                    #expect(
                        result == expected,
                        "\(kind) \(aggregation) g=\(granularity) n=\(count) start=\(String(describing: start))"
                    )
                }
            }
        }
    }

    /// Long periods exercise the selection's partitioning (not only its insertion sort)
    /// on orders that defeat naive pivots, and many equal values.
    @Test(arguments: ["ascending", "descending", "organ pipe", "equal", "random", "two values"])
    func ranksOfLongPeriods(shape: String) {
        var rng = SplitMix64(seed: 77)
        let n = 2_001
        let values: [Double] = (0..<n).map { i in
            switch shape {
            case "ascending": return Double(i)
            case "descending": return Double(n - i)
            case "organ pipe": return Double(min(i, n - i))
            case "equal": return 4.0
            case "two values": return i % 3 == 0 ? -0.0 : 0.0
            default: return Double.random(in: -1...1, using: &rng)
            }
        }
        let series = Series(timestamps: (0..<n).map { Int64($0) * 1_000_000_000 }, values: values)
        for g in [TimeDelta.seconds(Int64(n)), .seconds(500), .seconds(60)] {
            for aggregation in propertyAggregations where !aggregation.isRate {
                #expect(
                    aggregate(series, granularity: g, aggregation: aggregation)
                        == referenceAggregate(series, granularity: g, aggregation: aggregation),
                    "\(shape) \(aggregation) \(g)")
            }
        }
    }
}
