import Dispatch
import Foundation
import RondoneProcessing
import RondoneQuery
import RondoneStorage
import RondoneTesting
import RondoneTimeSeries

/// `rondone-bench storage` (processing part): measures per second aggregated by metricd
/// (all workers) into the default `high` policy (3 granularities × 6 methods), from
/// measures posted beforehand, until the backlog is empty; and bytes on disk per
/// stored aggregate point.
enum ProcessingBench {
    static func run(scale: Int) {
        let metricsCount = 1000 * max(1, scale)
        let pointsPerMetric = 1000
        let batchesPerMetric = 10
        print(
            "processing: metricd into `high` (3 granularities x 6 methods), \(metricsCount) metrics x \(pointsPerMetric) points"
        )
        let root = "/work/rondone-bench-processing-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let policy = ArchivePolicy.defaultPolicies.first { $0.name == "high" }!
        var random = SplitMix64(seed: 7)
        let metrics = (0..<metricsCount).map { _ in MetricID(high: random.next(), low: random.next()) }
        let t0: Int64 = 1_700_000_000_000_000_000

        // The engine alone, no I/O: the ceiling the stores leave room for.
        let sample = (0..<pointsPerMetric).map { t0 + Int64($0) * 1_000_000_000 }
        let sampleValues = (0..<pointsPerMetric).map { _ in Double(random.next() % 10_000) / 100 }
        bench("engine only: policy.process, 1 metric", items: pointsPerMetric, unit: "measures") {
            blackHole(
                policy.process(buffer: nil, batch: MeasureBatch(timestamps: sample, values: sampleValues)))
        }

        try? FileManager.default.removeItem(atPath: root)
        run(
            root: root, policy: policy, metrics: metrics, pointsPerMetric: pointsPerMetric,
            batchesPerMetric: batchesPerMetric)
    }

    private static func run(
        root: String, policy: ArchivePolicy, metrics: [MetricID], pointsPerMetric: Int,
        batchesPerMetric: Int
    ) {
        let metricsCount = metrics.count
        let t0: Int64 = 1_700_000_000_000_000_000
        let perBatch = pointsPerMetric / batchesPerMetric
        runBlocking {
            let incoming = try! FileIncomingStore(directory: root + "/incoming")
            let aggregates = try! FileAggregateStore(directory: root + "/aggregate")
            defer {
                incoming.close()
                aggregates.close()
            }
            // Posted first, untimed: 10 batches of 100 points per metric, 1 s apart.
            for round in 0..<batchesPerMetric {
                var batches: [IncomingBatch] = []
                for metric in metrics {
                    let first = t0 + Int64(round * perBatch) * 1_000_000_000
                    batches.append(
                        IncomingBatch(
                            metric: metric,
                            timestamps: (0..<perBatch).map { first + Int64($0) * 1_000_000_000 },
                            values: (0..<perBatch).map { Double(($0 * 37 + round) % 1000) / 10 }))
                }
                try! await incoming.add(batches)
            }
            let catalog = InMemoryMetricCatalog(
                Dictionary(uniqueKeysWithValues: metrics.map { ($0, policy) }))
            let metricd = Metricd(
                incoming: incoming, aggregates: aggregates, catalog: catalog,
                options: .init(processingDelay: .milliseconds(20)))
            let workers = Metricd.defaultWorkerCount
            let clock = ContinuousClock()
            let start = clock.now
            try! await metricd.start(workers: workers)
            while try! await incoming.backlogSummary().batches > 0 {
                try? await Task.sleep(for: .milliseconds(5))
            }
            let elapsed = clock.now - start
            await metricd.stop()
            let seconds =
                Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            let measures = metricsCount * pointsPerMetric
            let label = "metricd, \(workers) workers, batched commits"
            print(
                "  \(label.padding(toLength: 52, withPad: " ", startingAt: 0)) \(formatRate(Double(measures) / seconds)) measures/s"
            )
            print(
                "  \("  = metrics/s".padding(toLength: 52, withPad: " ", startingAt: 0)) \(formatRate(Double(metricsCount) / seconds)) metrics/s  (\(String(format: "%.2f", seconds)) s)"
            )

            let stored = await storedAggregatePoints(metrics, policy: policy, aggregates: aggregates)
            let (apparent, allocated) = diskUsage(root + "/aggregate")
            print(
                "  aggregate points stored: \(stored) in \(metricsCount * policy.aggregations.count) series"
            )
            print(
                "  bytes per stored point: \(String(format: "%.2f", Double(apparent) / Double(stored))) (file contents, buffers included), \(String(format: "%.2f", Double(allocated) / Double(stored))) (disk blocks, du)"
            )
        }
    }

    /// Total file bytes and allocated bytes (`du`) under `path`.
    private static func diskUsage(_ path: String) -> (apparent: Int, allocated: Int) {
        var apparent = 0
        var allocated = 0
        let enumerator = FileManager.default.enumerator(atPath: path)
        while let name = enumerator?.nextObject() as? String {
            var info = stat()
            guard stat(path + "/" + name, &info) == 0 else { continue }
            allocated += Int(info.st_blocks) * 512
            if (info.st_mode & S_IFMT) == S_IFREG { apparent += Int(info.st_size) }
        }
        return (apparent, allocated)
    }
}
