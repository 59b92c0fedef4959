import ArgumentParser
import Dispatch
import Foundation
import RondoneProcessing
import RondoneQuery
import RondoneStorage
import RondoneTesting
import RondoneTimeSeries

/// `rondone-bench disk`: what the file stores leave on disk, the whole data
/// directory counted (incoming logs and aggregates), after processing.
struct DiskBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "disk",
        abstract:
            "Bytes on disk per stored point (20 metrics x 1 day) and per sparse metric (many metrics, 3 points each)."
    )

    @Option(help: "Metrics of the sparse run (comma-separated counts).")
    var sparse: String = "100000"

    func run() throws {
        #if DEBUG
            print("warning: debug build; use `swift run -c release rondone-bench disk`")
        #endif
        DiskBench.dense()
        for count in sparse.split(separator: ",").compactMap({ Int($0) }) { DiskBench.sparse(metrics: count) }
    }
}

enum DiskBench {
    /// Issue 11's case: 20 metrics × one day at 10 s, `mean` and `max` at 10 s and 1 h,
    /// posted an hour per batch, processed by metricd (sack claims) or by refreshes
    /// (one metric claim each, what `?refresh=true` does).
    static func dense() {
        let policy = try! ArchivePolicy(
            name: "disk",
            definition: [
                try! ArchivePolicyItem(granularity: .seconds(10), timespan: .days(1)),
                try! ArchivePolicyItem(granularity: .hours(1), timespan: .days(1)),
            ], aggregationMethods: ["mean", "max"])
        print("disk: 20 metrics x 1 day at 10 s, mean and max at 10 s and 1 h")
        for kind in ["gauge", "counter"] {
            for mode in ["metricd", "refresh"] {
                denseRun(policy: policy, kind: kind, mode: mode)
            }
        }
    }

    private static func denseRun(policy: ArchivePolicy, kind: String, mode: String) {
        let root = "/work/rondone-bench-disk-\(getpid())"
        try? FileManager.default.removeItem(atPath: root)
        defer { try? FileManager.default.removeItem(atPath: root) }
        var random = SplitMix64(seed: 11)
        let metrics = (0..<20).map { _ in MetricID(high: random.next(), low: random.next()) }
        let t0: Int64 = 1_704_067_200_000_000_000  // 2024-01-01T00:00:00Z
        let step: Int64 = 10_000_000_000
        runBlocking {
            var random = SplitMix64(seed: 12)
            let incoming = try! FileIncomingStore(directory: root + "/incoming")
            let aggregates = try! FileAggregateStore(directory: root + "/aggregate")
            defer {
                incoming.close()
                aggregates.close()
            }
            var levels = metrics.map { _ in Double(random.next() % 10_000) / 100 }
            for hour in 0..<24 {
                var batches: [IncomingBatch] = []
                for (index, metric) in metrics.enumerated() {
                    var values: [Double] = []
                    for _ in 0..<360 {
                        if kind == "gauge" {
                            levels[index] += Double(Int(random.next() % 101) - 50) / 100
                            levels[index] = (levels[index] * 100).rounded() / 100
                        } else {
                            levels[index] += Double(random.next() % 1000)
                        }
                        values.append(levels[index])
                    }
                    let first = t0 + Int64(hour * 360) * step
                    batches.append(
                        IncomingBatch(
                            metric: metric, timestamps: (0..<360).map { first + Int64($0) * step },
                            values: values))
                }
                try! await incoming.add(batches)
            }
            let catalog = InMemoryMetricCatalog(
                Dictionary(uniqueKeysWithValues: metrics.map { ($0, policy) }))
            let metricd = Metricd(
                incoming: incoming, aggregates: aggregates, catalog: catalog,
                options: .init(processingDelay: .milliseconds(20)))
            if mode == "metricd" {
                try! await metricd.start(workers: 2)
                while try! await incoming.backlogSummary().batches > 0 {
                    try? await Task.sleep(for: .milliseconds(5))
                }
                await metricd.stop()
            } else {
                for metric in metrics { _ = try! await metricd.processNow(metric: metric) }
            }
            let aggregatePoints = await storedAggregatePoints(
                metrics, policy: policy, aggregates: aggregates)
            let raw = metrics.count * 24 * 360
            let whole = diskUsage(root)
            let incomingUse = diskUsage(root + "/incoming")
            let points = raw + aggregatePoints
            print(
                "  \(kind), \(mode): \(raw) raw + \(aggregatePoints) aggregate points; whole directory \(whole.allocated) B allocated (\(whole.apparent) B contents), incoming \(incomingUse.allocated) B"
            )
            print(
                "    bytes per stored point (raw + aggregates): \(format(Double(whole.allocated) / Double(points))) du, \(format(Double(whole.apparent) / Double(points))) contents; per aggregate point: \(format(Double(whole.allocated) / Double(aggregatePoints))) du"
            )
        }
    }

    /// Many metrics of the `low` policy with three measures each, processed by
    /// metricd: disk per metric, and how long reopening the stores takes.
    static func sparse(metrics count: Int) {
        let policy = ArchivePolicy.defaultPolicies.first { $0.name == "low" }!
        let root = "/work/rondone-bench-disk-sparse-\(getpid())"
        try? FileManager.default.removeItem(atPath: root)
        defer { try? FileManager.default.removeItem(atPath: root) }
        var random = SplitMix64(seed: 13)
        let metrics = (0..<count).map { _ in MetricID(high: random.next(), low: random.next()) }
        let t0: Int64 = 1_704_067_200_000_000_000
        print("disk: \(count) sparse metrics (policy low, 3 measures each, 1 min apart)")
        runBlocking {
            var random = SplitMix64(seed: 14)
            let clock = ContinuousClock()
            var incoming = try! FileIncomingStore(directory: root + "/incoming")
            var aggregates = try! FileAggregateStore(directory: root + "/aggregate")
            var start = clock.now
            for chunk in stride(from: 0, to: count, by: 1000) {
                let batches = metrics[chunk..<min(chunk + 1000, count)].map { metric in
                    IncomingBatch(
                        metric: metric, timestamps: (0..<3).map { t0 + Int64($0) * 60_000_000_000 },
                        values: (0..<3).map { _ in Double(random.next() % 10_000) / 100 })
                }
                try! await incoming.add(batches)
            }
            let ingest = seconds(clock.now - start)
            let catalog = InMemoryMetricCatalog(
                Dictionary(uniqueKeysWithValues: metrics.map { ($0, policy) }))
            let metricd = Metricd(
                incoming: incoming, aggregates: aggregates, catalog: catalog,
                options: .init(processingDelay: .milliseconds(20)))
            start = clock.now
            try! await metricd.start(workers: 2)
            while try! await incoming.backlogSummary().batches > 0 {
                try? await Task.sleep(for: .milliseconds(5))
            }
            await metricd.stop()
            let processing = seconds(clock.now - start)
            incoming.close()
            aggregates.close()
            let whole = diskUsage(root)
            let aggregateUse = diskUsage(root + "/aggregate")
            start = clock.now
            aggregates = try! FileAggregateStore(directory: root + "/aggregate")
            let openAggregates = seconds(clock.now - start)
            start = clock.now
            incoming = try! FileIncomingStore(directory: root + "/incoming")
            let openIncoming = seconds(clock.now - start)
            start = clock.now
            let reader = SeriesReader(aggregates: aggregates)
            let mean = policy.aggregations.first { $0.aggregation.name == "mean" }!
            var readPoints = 0
            for metric in metrics.prefix(10_000) {
                readPoints += try! await reader.read(
                    metric: metric, policy: policy, aggregation: mean.aggregation,
                    granularity: mean.granularity
                ).count
            }
            let reads = seconds(clock.now - start)
            incoming.close()
            aggregates.close()
            let read = min(count, 10_000)
            print(
                "  ingest \(formatRate(Double(count * 3) / ingest)) measures/s, processing \(formatRate(Double(count * 3) / processing)) measures/s (\(format(processing)) s), reads \(formatRate(Double(read) / reads)) series/s (\(readPoints) points)"
            )
            print(
                "  whole directory \(whole.allocated) B allocated (\(whole.apparent) B contents, \(whole.files) files): \(format(Double(whole.allocated) / Double(count))) B per metric; aggregates alone \(format(Double(aggregateUse.allocated) / Double(count))) B per metric"
            )
            print(
                "  reopen: aggregate store \(format(openAggregates * 1000)) ms, incoming store \(format(openIncoming * 1000)) ms"
            )
        }
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }

    private static func format(_ value: Double) -> String { String(format: "%.2f", value) }

    /// Allocated bytes (`du`, directories included), file bytes and files under `path`.
    static func diskUsage(_ path: String) -> (allocated: Int, apparent: Int, files: Int) {
        var allocated = 0
        var apparent = 0
        var files = 0
        var info = stat()
        if stat(path, &info) == 0 { allocated += Int(info.st_blocks) * 512 }
        let enumerator = FileManager.default.enumerator(atPath: path)
        while let name = enumerator?.nextObject() as? String {
            guard stat(path + "/" + name, &info) == 0 else { continue }
            allocated += Int(info.st_blocks) * 512
            if (info.st_mode & S_IFMT) == S_IFREG {
                apparent += Int(info.st_size)
                files += 1
            }
        }
        return (allocated, apparent, files)
    }
}
