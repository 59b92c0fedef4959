import RondoneQuery
import RondoneTesting
import RondoneTimeSeries

/// `engine` section: cross-metric query speed in input points per second (all series'
/// points together), what `/v1/aggregates` spends after reading the splits.
///
/// Ten series of 100 k points at 1 s (`scale` multiplies the length), each missing a
/// random 1 % of its points so that the grid has holes to fill or drop.
enum QueryBench {
    static func run(scale: Int) {
        print("Cross-metric queries (input points/s, 10 series at 1 s)")
        let length = 100_000 * max(scale, 1)
        var rng = SplitMix64(seed: 7)
        let origin: Int64 = 1_700_000_000_000_000_000
        let second: Int64 = 1_000_000_000
        let series: [Series] = (0..<10).map { _ in
            var one = Series()
            one.reserveCapacity(length)
            var value = 50.0
            for index in 0..<length where rng.next() % 100 != 0 {
                value += Double(Int64(bitPattern: rng.next() % 201) - 100) / 100
                one.append(origin + Int64(index) * second, value)
            }
            return one
        }
        let points = series.reduce(0) { $0 + $1.count }
        let policy = try! ArchivePolicy(
            name: "bench", definition: [try! ArchivePolicyItem(granularity: .seconds(1), points: length)])
        let references = (0..<series.count).map { index in
            let metric = MetricID(high: 0, low: UInt64(index + 1))
            return ResolvedReference(
                key: ReferenceKey(name: metric.description, aggregation: "mean"), metric: metric,
                policy: policy)
        }
        let keys = references.map(\.key)
        let all = Operation.metric(keys, single: false)
        bench("grid (union of time stamps, NaN holes)", items: points, unit: "points") {
            blackHole(Frame(granularity: second, series: series, filler: .nan))
        }
        let cases: [(String, Operation)] = [
            ("aggregate mean", .aggregate(CrossAggregation(method: .mean), all)),
            ("aggregate median", .aggregate(CrossAggregation(method: .median), all)),
            (
                "(- first second) then aggregate sum",
                .aggregate(
                    CrossAggregation(method: .sum),
                    .binary(.subtract, .metric([keys[0]], single: true), .metric([keys[1]], single: true)))
            ),
            ("rolling mean 10 of each", .rolling(CrossAggregation(method: .mean), window: 10, all)),
            ("abs of each", .unary(.absolute, all)),
        ]
        for (name, operation) in cases {
            let query = CrossMetricQuery(
                references: references, operation: operation, granularities: [.seconds(1)], fill: .dropNaN)
            bench("\(name), grid + dropna", items: points, unit: "points") {
                blackHole(try! query.evaluate([(.seconds(1), series)]))
            }
        }
    }
}
