import Foundation
import RondoneProcessing
import RondoneStorage
import RondoneTesting
import RondoneTimeSeries
import Synchronization
import Testing

/// metricd end to end on the file stores: workers, deleted metrics, refresh, concurrent
/// writers, failures and retries, stop and status.
@Suite struct MetricdTests {
    static let t0: Int64 = 1_700_000_000_000_000_000
    static let second: Int64 = 1_000_000_000

    /// Counts per second for ever: every unique time stamp has its own period, so the
    /// sum of the counts is the number of distinct measures aggregated.
    static func countPolicy() throws -> ArchivePolicy {
        try policy([(1, nil)], methods: ["count"])
    }

    static func counted(_ processor: MetricProcessor, _ metric: MetricID) async throws -> Series {
        try await processor.readAggregates(
            metric: metric, policy: try countPolicy(), aggregation: Aggregation(name: "count")!,
            granularity: .seconds(1))
    }

    @Test func workersProcessWhatWasPostedAsTheEngineDoes() async throws {
        let fixture = try ProcessingFixture("workers")
        defer { fixture.remove() }
        var random = SplitMix64(seed: 7)
        let policy = try policy(
            [(5, 600), (60, nil)], methods: ["mean", "count", "min", "rate:last"], backWindow: 2)
        let metrics = (0..<20).map { _ in random.metric() }
        let catalog = InMemoryMetricCatalog(Dictionary(uniqueKeysWithValues: metrics.map { ($0, policy) }))
        var posted: [MetricID: [IncomingBatch]] = [:]
        for round in 0..<5 {
            for metric in metrics {
                let count = Int(random.next() % 50) + 1
                let timestamps = (0..<count).map { _ in
                    Self.t0 + Int64(round) * 60 * Self.second + Int64(random.next() % 200) * Self.second / 2
                }
                let values = (0..<count).map { _ in Double(random.next() % 100) }
                let batch = IncomingBatch(metric: metric, timestamps: timestamps, values: values)
                try await fixture.incoming.add(batch)
                posted[metric, default: []].append(batch)
            }
        }
        let metricd = fixture.metricd(catalog: catalog)
        try await metricd.start(workers: 3)
        #expect(try await eventually { try await fixture.incoming.backlogSummary().batches == 0 })
        await metricd.stop()
        // Everything waited in one claim per sack: one engine step per metric.
        for metric in metrics {
            let batches = posted[metric]!
            var model = EngineModel(policy: policy)
            model.process(
                MeasureBatch(timestamps: batches.flatMap(\.timestamps), values: batches.flatMap(\.values)))
            for target in policy.aggregations {
                let stored = try await metricd.processor.readAggregates(
                    metric: metric, policy: policy, aggregation: target.aggregation,
                    granularity: target.granularity)
                #expect(stored == model.series(target), "\(metric) \(target)")
            }
        }
        let rates = metricd.counters.snapshot()
        #expect(rates.metricsProcessed == 20)
        #expect(rates.measuresProcessed == posted.values.joined().reduce(0) { $0 + $1.timestamps.count })
        #expect(rates.errors == 0)
        #expect(rates.measuresPerSecond > 0)
    }

    @Test func deletedMetricDropsItsMeasuresAndAggregates() async throws {
        let fixture = try ProcessingFixture("deleted")
        defer { fixture.remove() }
        let gone = MetricID(high: 1, low: 2)
        let kept = MetricID(high: 3, low: 4)
        let policy = try Self.countPolicy()
        let catalog = InMemoryMetricCatalog([gone: policy, kept: policy])
        let metricd = fixture.metricd(catalog: catalog)
        for metric in [gone, kept] {
            try await fixture.incoming.add(IncomingBatch(metric: metric, timestamps: [Self.t0], values: [1]))
        }
        try await metricd.drain()
        #expect(try await fixture.aggregates.buffer(of: gone) != nil)
        await catalog.remove(gone)
        for metric in [gone, kept] {
            try await fixture.incoming.add(
                IncomingBatch(
                    metric: metric, timestamps: [Self.t0 + Self.second, Self.t0 + 2 * Self.second],
                    values: [1, 2]))
        }
        try await metricd.drain()
        #expect(try await fixture.incoming.backlogSummary().batches == 0)
        #expect(try await fixture.aggregates.buffer(of: gone) == nil)
        #expect(
            try await fixture.aggregates.splitKeys(of: gone, aggregation: "count", granularity: .seconds(1))
                .isEmpty)
        #expect(total(try await Self.counted(metricd.processor, kept)) == 3)
        let rates = metricd.counters.snapshot()
        #expect(rates.metricsDropped == 1 && rates.measuresDropped == 2)
    }

    @Test func refreshProcessesOneMetricAndWaitsForABusySack() async throws {
        let fixture = try ProcessingFixture("refresh")
        defer { fixture.remove() }
        let metric = MetricID(high: 5, low: 6)
        let other = MetricID(high: 5, low: 6 + UInt64(fixture.sacks))  // same sack
        let policy = try Self.countPolicy()
        let metricd = fixture.metricd(
            catalog: InMemoryMetricCatalog([metric: policy, other: policy]),
            options: .init(processingDelay: .seconds(60), refreshTimeout: .milliseconds(300)))
        #expect(try await metricd.processNow(metric: metric) == false)
        for target in [metric, other] {
            try await fixture.incoming.add(
                IncomingBatch(metric: target, timestamps: [Self.t0, Self.t0 + Self.second], values: [1, 2]))
        }
        #expect(try await metricd.processNow(metric: metric))
        #expect(total(try await Self.counted(metricd.processor, metric)) == 2)
        // Only that metric: the other one still waits.
        #expect(try await fixture.incoming.hasUnprocessed(metric: other))
        #expect(try await Self.counted(metricd.processor, other).isEmpty)

        // A worker holds the sack: the refresh waits until it lets go.
        let held = try await fixture.incoming.claim(sack: other.sack(among: fixture.sacks))
        let refresh = Task { try await metricd.processNow(metric: other) }
        try await Task.sleep(for: .milliseconds(100))
        await fixture.incoming.release(held)
        #expect(try await refresh.value)
        #expect(total(try await Self.counted(metricd.processor, other)) == 2)

        // Held past the timeout: Gnocchi's 503 error.
        try await fixture.incoming.add(
            IncomingBatch(metric: other, timestamps: [Self.t0 + 9 * Self.second], values: [1]))
        let stuck = try await fixture.incoming.claim(sack: other.sack(among: fixture.sacks))
        await #expect(throws: ProcessingError.metricLocked(other)) {
            try await metricd.processNow(metric: other)
        }
        await fixture.incoming.release(stuck)
        #expect(
            ProcessingError.metricLocked(other).description
                == "Unable to refresh metric: \(other). Metric is locked. Please try again.")
    }

    /// Writers post while workers run (woken by `wake()`): every acknowledged measure
    /// is aggregated exactly once.
    @Test func concurrentWritersAreAggregatedExactlyOnce() async throws {
        let fixture = try ProcessingFixture("concurrent")
        defer { fixture.remove() }
        let policy = try Self.countPolicy()
        let writers = 6
        let metricsPerWriter = 3
        let rounds = 40
        let metrics = (0..<writers * metricsPerWriter).map { MetricID(high: 0xABCD, low: UInt64($0)) }
        let metricd = fixture.metricd(
            catalog: InMemoryMetricCatalog(Dictionary(uniqueKeysWithValues: metrics.map { ($0, policy) })))
        try await metricd.start(workers: 2)
        let acknowledged = SharedCount()
        await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<writers {
                group.addTask {
                    var random = SplitMix64(seed: UInt64(writer))
                    var next = [Int64](repeating: Self.t0, count: metricsPerWriter)
                    for _ in 0..<rounds {
                        let slot = Int(random.next() % UInt64(metricsPerWriter))
                        let count = Int(random.next() % 20) + 1
                        // Increasing per metric: nothing is ever too old for the buffer.
                        let timestamps = (0..<count).map { next[slot] + Int64($0) * Self.second }
                        next[slot] += Int64(count) * Self.second
                        let metric = metrics[writer * metricsPerWriter + slot]
                        try await fixture.incoming.add(
                            IncomingBatch(
                                metric: metric, timestamps: timestamps,
                                values: timestamps.map { Double($0 % 7) }))
                        acknowledged.add(count)
                        metricd.wake()
                    }
                }
            }
        }
        #expect(try await eventually { try await fixture.incoming.backlogSummary().batches == 0 })
        await metricd.stop()
        var sum = 0.0
        for metric in metrics {
            let counts = try await Self.counted(metricd.processor, metric)
            #expect(counts.values.allSatisfy { $0 == 1 }, "a time stamp aggregated twice for \(metric)")
            sum += total(counts)
        }
        #expect(Int(sum) == acknowledged.value)
        #expect(metricd.counters.snapshot().errors == 0)
    }

    /// A failure halfway through a metric (some splits written, no buffer) releases the
    /// claim; the retry gives exactly the result of a clean run.
    @Test func aFailedStepIsRetriedToTheSameResult() async throws {
        let fixture = try ProcessingFixture("retry")
        defer { fixture.remove() }
        let policy = try policy([(1, nil), (60, nil)], methods: ["count", "sum"])
        let metric = MetricID(high: 9, low: 9)
        let flaky = FlakyAggregateStore(fixture.aggregates, failOnPut: 2)
        let lines = LogLines()
        let metricd = Metricd(
            incoming: fixture.incoming, aggregates: flaky, catalog: InMemoryMetricCatalog([metric: policy]),
            log: { lines.append($0) })
        let timestamps = (0..<300).map { Self.t0 + Int64($0) * Self.second }
        try await fixture.incoming.add(
            IncomingBatch(metric: metric, timestamps: timestamps, values: timestamps.map { _ in 2 }))
        let sack = metric.sack(among: fixture.sacks)
        #expect(await metricd.process(sack: sack) == .released)
        #expect(metricd.counters.snapshot().errors == 1)
        #expect(lines.all.contains { $0.contains("Error processing new measures of metric \(metric)") })
        #expect(try await fixture.incoming.hasUnprocessed(metric: metric))
        #expect(await metricd.process(sack: sack) == .processed(metrics: 1))
        #expect(total(try await Self.counted(metricd.processor, metric)) == 300)
        let sums = try await metricd.processor.readAggregates(
            metric: metric, policy: policy, aggregation: Aggregation(name: "sum")!, granularity: .seconds(60))
        #expect(total(sums) == 600)
    }

    @Test func statusReportsBacklogAndStopReturns() async throws {
        let fixture = try ProcessingFixture("status")
        defer { fixture.remove() }
        let policy = try Self.countPolicy()
        let metrics = (0..<4).map { MetricID(high: 77, low: UInt64($0)) }
        let metricd = fixture.metricd(
            catalog: InMemoryMetricCatalog(Dictionary(uniqueKeysWithValues: metrics.map { ($0, policy) })))
        for metric in metrics {
            try await fixture.incoming.add(
                IncomingBatch(metric: metric, timestamps: [Self.t0, Self.t0 + 1], values: [1, 2]))
            try await fixture.incoming.add(IncomingBatch(metric: metric, timestamps: [], values: []))
        }
        let before = try await metricd.status(details: true)
        #expect(before.backlog.metrics == 4 && before.backlog.batches == 8 && before.backlog.measures == 8)
        #expect(before.perMetric?[metrics[0]] == PendingCount(batches: 2, measures: 2))
        #expect(before.workers == 0)
        try await metricd.start(workers: 2)
        #expect(try await metricd.status().workers == 2)
        #expect(try await eventually { try await metricd.status().backlog.batches == 0 })
        await metricd.stop()
        let after = try await metricd.status()
        #expect(
            after.workers == 0 && after.processing.metricsProcessed == 4
                && after.processing.measuresProcessed == 8)
        #expect(after.processing.sacksProcessed >= 1)
    }

    @Test func inProcessCoordinatorPartitionsEverySackOnce() {
        let coordinator = InProcessCoordinator()
        for workers in 1...5 {
            let owned = (0..<workers).flatMap { coordinator.sacks(for: $0, of: workers, sackCount: 128) }
            #expect(owned.map(\.sack).sorted() == Array(0..<128))
            #expect(owned.allSatisfy { $0.token == 0 })
        }
        #expect(coordinator.sacks(for: 3, of: 2, sackCount: 8).isEmpty)
    }
}

/// An aggregate store that fails its N-th split write once (a crash mid-metric).
final class FlakyAggregateStore: AggregateStore {
    let base: any AggregateStore
    let failOnPut: Int
    private let puts = Atomic<Int>(0)

    init(_ base: any AggregateStore, failOnPut: Int) {
        self.base = base
        self.failOnPut = failOnPut
    }

    func buffer(of metric: MetricID) async throws -> [UInt8]? { try await base.buffer(of: metric) }
    func putBuffer(_ bytes: [UInt8], for metric: MetricID) async throws {
        try await base.putBuffer(bytes, for: metric)
    }
    func deleteBuffer(of metric: MetricID) async throws { try await base.deleteBuffer(of: metric) }
    func split(_ key: SplitAddress, of metric: MetricID) async throws -> [UInt8]? {
        try await base.split(key, of: metric)
    }
    func putSplit(_ bytes: [UInt8], _ key: SplitAddress, for metric: MetricID) async throws {
        if puts.add(1, ordering: .relaxed).newValue == failOnPut {
            throw StorageError.io(operation: "write", path: "injected", errno: 5)
        }
        try await base.putSplit(bytes, key, for: metric)
    }
    func deleteSplit(_ key: SplitAddress, of metric: MetricID) async throws {
        try await base.deleteSplit(key, of: metric)
    }
    func splitKeys(of metric: MetricID, aggregation: String, granularity: TimeDelta) async throws
        -> [Timestamp]
    {
        try await base.splitKeys(of: metric, aggregation: aggregation, granularity: granularity)
    }
    func deleteMetric(_ metric: MetricID) async throws { try await base.deleteMetric(metric) }
    func pendingDeletions() async throws -> Int { try await base.pendingDeletions() }
}

/// A counter shared by concurrent test tasks.
final class SharedCount: Sendable {
    private let count = Atomic<Int>(0)
    func add(_ n: Int) { count.add(n, ordering: .relaxed) }
    var value: Int { count.load(ordering: .relaxed) }
}
