import RondoneTesting
import RondoneTimeSeries

/// Aggregation throughput in input points per second: what metricd spends per metric.
///
/// One series of 1 M points at 1 s spacing (`scale` multiplies it), values a random walk,
/// grouped once per granularity and reduced by the eight usual methods, as an archive
/// policy with those methods does; median and 95pct are timed on their own because they
/// rank rather than sum.
enum AggregationBench {
    static func run(scale: Int) {
        print("Aggregation (input points/s, 1 s spacing)")
        let count = 1_000_000 * max(scale, 1)
        var rng = SplitMix64(seed: 42)
        var series = Series()
        series.reserveCapacity(count)
        var value = 100.0
        let origin: Int64 = 1_700_000_000_000_000_000
        for i in 0..<count {
            value += Double(Int64(bitPattern: rng.next() % 2001) - 1000) / 100
            series.append(origin + Int64(i) * 1_000_000_000, value)
        }
        let eight: [Aggregation] = [.mean, .min, .max, .sum, .std, .count, .last, .first].map {
            Aggregation($0)
        }
        for seconds: Int64 in [1, 60, 3600] {
            let granularity = TimeDelta.seconds(seconds)
            bench("group only, \(seconds) s", items: count, unit: "points") {
                blackHole(GroupedSeries(series, granularity: granularity))
            }
            bench("8 methods (group once), \(seconds) s", items: count * eight.count, unit: "points") {
                blackHole(aggregate(series, granularity: granularity, aggregations: eight))
            }
            for method in [AggregationMethod.mean, .std, .min, .median, .percentile(95)] {
                bench("\(Aggregation(method).name) alone, \(seconds) s", items: count, unit: "points") {
                    blackHole(aggregate(series, granularity: granularity, aggregation: Aggregation(method)))
                }
            }
            bench("rate:mean alone, \(seconds) s", items: count, unit: "points") {
                blackHole(
                    aggregate(series, granularity: granularity, aggregation: Aggregation(.mean, rate: true)))
            }
        }
        // Calendar periods (`resample=M` …): one date conversion per period, not per point.
        for grouping in [CalendarGrouping.month, .week] {
            bench("group only, calendar \(grouping.letter)", items: count, unit: "points") {
                blackHole(GroupedSeries(series, sampling: .calendar(grouping)))
            }
            bench("mean, calendar \(grouping.letter)", items: count, unit: "points") {
                blackHole(resample(series, to: .calendar(grouping), aggregation: Aggregation(.mean)))
            }
        }
    }
}
