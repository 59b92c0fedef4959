import Foundation
import RondoneProcessing
import RondoneQuery
import RondoneStorage
import RondoneTesting
import RondoneTimeSeries

/// `rondone-bench aggregates`: what `POST /v1/aggregates` with
/// `(aggregate mean (metric …))` spends once the metrics are resolved, minus HTTP.
///
/// N metrics × one day of 1-minute points are stored through metricd's own step
/// (`MetricProcessor.changes`, committed in batches as metricd commits), in a
/// `FileAggregateStore` on a temporary directory, so the split packs are byte for byte
/// what a server stores. Then, each timed as the median of several runs after a
/// warm-up (the files are in the page cache, as a server's recent data is):
/// * reading the N series with `SeriesReader`, one after the other and concurrently
///   (as `CrossMetricQuery` reads);
/// * aligning them on one time axis and taking the mean, on series already read (as
///   stored: one shared axis; and with 1 % of each series' points missing);
/// * the whole query, `CrossMetricQuery.run(reader:)`: read + align + mean.
enum AggregatesBench {
    static let granularity = TimeDelta.minutes(1)

    static func run(metricCounts: [Int], points: Int, runs: Int) {
        print(
            "aggregates: (aggregate mean (metric ...)) at 1 min, \(points) points per metric, "
                + "SeriesReader over FileAggregateStore, median of \(runs) runs"
        )
        for count in metricCounts {
            runBlocking { await measure(metrics: count, points: points, runs: runs) }
        }
    }

    private static func measure(metrics count: Int, points: Int, runs: Int) async {
        let root = NSTemporaryDirectory() + "rondone-bench-aggregates-\(getpid())-\(count)"
        try? FileManager.default.removeItem(atPath: root)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = try! FileAggregateStore(directory: root)
        defer { store.close() }
        let policy = try! ArchivePolicy(
            name: "bench-1min-1day",
            definition: [try! ArchivePolicyItem(granularity: granularity, points: points)],
            aggregationMethods: ["mean"])
        var random = SplitMix64(seed: 11)
        let metrics = (0..<count).map { _ in MetricID(high: random.next(), low: random.next()) }

        let clock = ContinuousClock()
        let storing = await clock.measure {
            await storeMeasures(metrics, policy: policy, points: points, in: store)
        }
        print(
            "  \(count) metrics stored through MetricProcessor in \(String(format: "%.2f", storing.seconds)) s"
        )

        let reader = SeriesReader(aggregates: store) { error in fatalError("BUG: \(error)") }
        let requests = metrics.map {
            SeriesRequest(
                metric: $0, policy: policy, aggregation: Aggregation(.mean), granularity: granularity)
        }
        let references = metrics.map {
            ResolvedReference(
                key: ReferenceKey(name: $0.description, aggregation: "mean"), metric: $0, policy: policy)
        }
        let query = CrossMetricQuery(
            references: references,
            operation: .aggregate(
                CrossAggregation(method: .mean), .metric(references.map(\.key), single: false)),
            granularities: [granularity], fill: .dropNaN)
        let inputPoints = count * points

        let read = try! await reader.read(requests)
        let stored = read.reduce(0) { $0 + $1.count }
        precondition(stored == inputPoints, "BUG: read \(stored) points, stored \(inputPoints)")

        await report(count, "read, one series after the other", points: inputPoints, runs: runs) {
            var all: [Series] = []
            all.reserveCapacity(requests.count)
            for request in requests { all.append(try! await reader.read(request)) }
            blackHole(all)
        }
        await report(
            count, "read, \(SeriesReader.concurrentReads) at a time (the query's reads)", points: inputPoints,
            runs: runs
        ) {
            blackHole(try! await reader.read(requests))
        }
        await report(count, "align + mean (series already read)", points: inputPoints, runs: runs) {
            blackHole(try! query.evaluate([(granularity, read)]))
        }
        // Axes that differ (each series misses a random 1 % of its points): the union is
        // merged and every column placed on it, instead of sharing one axis.
        var holes = SplitMix64(seed: 13)
        let sparse = read.map { one in
            var kept = Series()
            for (timestamp, value) in zip(one.timestamps, one.values) where holes.next() % 100 != 0 {
                kept.append(timestamp, value)
            }
            return kept
        }
        await report(count, "align + mean, 1 % of points missing per series", points: inputPoints, runs: runs)
        {
            blackHole(try! query.evaluate([(granularity, sparse)]))
        }
        await report(count, "whole query", points: inputPoints, runs: runs) {
            blackHole(try! await query.run(reader: reader))
        }
        guard case .aggregated(let result) = try! query.evaluate([(granularity, read)]),
            result.first?.points.count == points
        else { fatalError("BUG: the mean does not have \(points) points") }
    }

    /// Stores `points` 1-minute measures per metric (a random walk with 2 decimals, one
    /// measure 7 s into each minute of 2024-01-01) as metricd does: the changes of each
    /// metric computed by `MetricProcessor`, committed 500 metrics at a time.
    private static func storeMeasures(
        _ metrics: [MetricID], policy: ArchivePolicy, points: Int, in store: FileAggregateStore
    )
        async
    {
        let processor = MetricProcessor(aggregates: store)
        let t0: Int64 = 1_704_067_200_000_000_000  // 2024-01-01T00:00:00Z
        let minute: Int64 = 60_000_000_000
        var random = SplitMix64(seed: 7)
        for start in stride(from: 0, to: metrics.count, by: 500) {
            var changes: [MetricChanges] = []
            for metric in metrics[start..<min(start + 500, metrics.count)] {
                var value = Double(random.next() % 10_000) / 100
                var values: [Double] = []
                values.reserveCapacity(points)
                for _ in 0..<points {
                    value += Double(Int64(random.next() % 101) - 50) / 100
                    values.append(value)
                }
                let batch = MeasureBatch(
                    timestamps: (0..<Int64(points)).map { t0 + $0 * minute + 7_000_000_000 }, values: values)
                changes.append(try! await processor.changes(metric: metric, policy: policy, batch: batch)!)
            }
            try! await store.commit(changes)
        }
    }

    /// Runs `body` once to warm up, then `runs` times, and prints the median time and
    /// the input points per second at that median.
    private static func report(
        _ metrics: Int, _ label: String, points: Int, runs: Int, _ body: () async -> Void
    ) async {
        await body()
        let clock = ContinuousClock()
        var times: [Double] = []
        for _ in 0..<max(runs, 1) { times.append(await clock.measure { await body() }.seconds) }
        times.sort()
        let median = times[times.count / 2]
        let name = "\(metrics) metrics: \(label)"
        print(
            "  \(name.padding(toLength: 64, withPad: " ", startingAt: 0)) "
                + "\(String(format: "%9.2f", median * 1000)) ms (best \(String(format: "%.2f", times[0] * 1000)))"
                + "  \(formatRate(Double(points) / median)) points/s")
    }
}

extension Duration {
    /// The duration in seconds, as a `Double`.
    fileprivate var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) * 1e-18
    }
}
