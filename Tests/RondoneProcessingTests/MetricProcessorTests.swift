import Foundation
import RondoneProcessing
import RondoneStorage
import RondoneTesting
import RondoneTimeSeries
import Synchronization
import Testing

/// The per-metric step on real file stores: literal values from Gnocchi 4.7.1, the
/// engine as an oracle on random input, corruption handling. (The reader's own rules
/// are RondoneQueryTests' `SeriesReaderTests`.)
@Suite struct MetricProcessorTests {
    static let metric = MetricID("5f9d73fd-9c67-42b7-914a-f007968ff9a3")!
    static let t0: Int64 = 1_700_000_000

    /// 5 s for 120 s and 60 s for 1 h, mean/count/max, back window 1.
    static func smallPolicy() throws -> ArchivePolicy {
        try policy([(5, 120), (60, 3600)], methods: ["mean", "count", "max"], backWindow: 1)
    }

    static func batch(_ points: [(Int64, Double)]) -> IncomingBatch {
        IncomingBatch(
            metric: metric, timestamps: points.map { (t0 + $0.0) * 1_000_000_000 },
            values: points.map(\.1))
    }

    // Out of order, a duplicate time stamp (smallest value wins), later a too-old point.
    static let batches = [
        batch([(61, 3.0), (1, 1.0), (7, 2.0), (7, -1.0), (2, 4.5), (125, 10.0)]),
        batch([(3, 100.0), (124, 7.0), (190, 8.0), (245, 1.25), (245, 0.5)]),
        batch([(30, 9.0), (301, 2.0), (400, 5.0)]),
    ]

    // Computed by Gnocchi 4.7.1's own storage code (file driver, add_measures_to_metrics
    // then get_aggregated_measures), one step per batch.
    static let afterBatch1: [String: [(Int64, Double)]] = [
        "count@5": [(1_700_000_060_000_000_000, 1.0), (1_700_000_125_000_000_000, 1.0)],
        "count@60": [
            (1_699_999_980_000_000_000, 3.0), (1_700_000_040_000_000_000, 1.0),
            (1_700_000_100_000_000_000, 1.0),
        ],
        "max@5": [(1_700_000_060_000_000_000, 3.0), (1_700_000_125_000_000_000, 10.0)],
        "max@60": [
            (1_699_999_980_000_000_000, 4.5), (1_700_000_040_000_000_000, 3.0),
            (1_700_000_100_000_000_000, 10.0),
        ],
        "mean@5": [(1_700_000_060_000_000_000, 3.0), (1_700_000_125_000_000_000, 10.0)],
        "mean@60": [
            (1_699_999_980_000_000_000, 1.5), (1_700_000_040_000_000_000, 3.0),
            (1_700_000_100_000_000_000, 10.0),
        ],
    ]
    static let afterBatch3: [String: [(Int64, Double)]] = [
        "count@5": [(1_700_000_300_000_000_000, 1.0), (1_700_000_400_000_000_000, 1.0)],
        "count@60": [
            (1_699_999_980_000_000_000, 3.0), (1_700_000_040_000_000_000, 1.0),
            (1_700_000_100_000_000_000, 2.0),
            (1_700_000_160_000_000_000, 1.0), (1_700_000_220_000_000_000, 1.0),
            (1_700_000_280_000_000_000, 1.0),
            (1_700_000_400_000_000_000, 1.0),
        ],
        "max@5": [(1_700_000_300_000_000_000, 2.0), (1_700_000_400_000_000_000, 5.0)],
        "max@60": [
            (1_699_999_980_000_000_000, 4.5), (1_700_000_040_000_000_000, 3.0),
            (1_700_000_100_000_000_000, 10.0),
            (1_700_000_160_000_000_000, 8.0), (1_700_000_220_000_000_000, 0.5),
            (1_700_000_280_000_000_000, 2.0),
            (1_700_000_400_000_000_000, 5.0),
        ],
        "mean@5": [(1_700_000_300_000_000_000, 2.0), (1_700_000_400_000_000_000, 5.0)],
        "mean@60": [
            (1_699_999_980_000_000_000, 1.5), (1_700_000_040_000_000_000, 3.0),
            (1_700_000_100_000_000_000, 8.5),
            (1_700_000_160_000_000_000, 8.0), (1_700_000_220_000_000_000, 0.5),
            (1_700_000_280_000_000_000, 2.0),
            (1_700_000_400_000_000_000, 5.0),
        ],
    ]

    static func read(_ processor: MetricProcessor, _ policy: ArchivePolicy) async throws -> [String:
        [(
            Int64, Double
        )]]
    {
        var result: [String: [(Int64, Double)]] = [:]
        for target in policy.aggregations {
            let series = try await processor.readAggregates(
                metric: metric, policy: policy, aggregation: target.aggregation,
                granularity: target.granularity)
            result["\(target.aggregation.name)@\(Int(target.granularity.seconds))"] = Array(
                zip(series.timestamps, series.values))
        }
        return result
    }

    static func same(_ a: [String: [(Int64, Double)]], _ b: [String: [(Int64, Double)]]) -> Bool {
        a.keys.sorted() == b.keys.sorted()
            && a.allSatisfy { key, points in
                let other = b[key] ?? []
                return points.count == other.count
                    && zip(points, other).allSatisfy { $0.0 == $1.0 && $0.1.bitPattern == $1.1.bitPattern }
            }
    }

    @Test func matchesGnocchiOnAFixedCase() async throws {
        let fixture = try ProcessingFixture("fixed")
        defer { fixture.remove() }
        let policy = try Self.smallPolicy()
        let processor = MetricProcessor(aggregates: fixture.aggregates)
        try await processor.process(metric: Self.metric, policy: policy, measures: Self.batches[0])
        #expect(Self.same(try await Self.read(processor, policy), Self.afterBatch1))
        for batch in Self.batches.dropFirst() {
            try await processor.process(metric: Self.metric, policy: policy, measures: batch)
        }
        #expect(Self.same(try await Self.read(processor, policy), Self.afterBatch3))
    }

    /// Random batches (unsorted, duplicates, late points) through the file stores give
    /// exactly what the engine gives in memory.
    @Test(arguments: [1, 2, 3]) func equalsTheEngineOnRandomBatches(seed: UInt64) async throws {
        let fixture = try ProcessingFixture("random")
        defer { fixture.remove() }
        var random = SplitMix64(seed: seed)
        let policies = [
            try policy(
                [(1, 600), (60, 7200), (300, nil)], methods: ["mean", "max", "count", "last", "rate:mean"],
                backWindow: 1),
            ArchivePolicy.defaultPolicies.first { $0.name == "high" }!,
        ]
        let policy = policies[Int(seed) % policies.count]
        let processor = MetricProcessor(aggregates: fixture.aggregates)
        var model = EngineModel(policy: policy)
        var clock: Int64 = 1_600_000_000_000_000_000
        for _ in 0..<12 {
            let count = Int(random.next() % 400) + 1
            var timestamps: [Int64] = []
            var values: [Double] = []
            for _ in 0..<count {
                // Mostly forward, some jitter backwards (late or too old), some repeats.
                let step = Int64(random.next() % 3_000_000_000)
                let jitter = random.next() % 8 == 0 ? -Int64(random.next() % 4_000_000_000_000) : 0
                clock += step
                timestamps.append(clock + jitter - Int64(random.next() % 2) * step)
                values.append(Double(Int64(random.next() % 2000) - 1000) / 8)
            }
            let batch = IncomingBatch(metric: Self.metric, timestamps: timestamps, values: values)
            try await processor.process(metric: Self.metric, policy: policy, measures: batch)
            model.process(MeasureBatch(timestamps: timestamps, values: values))
        }
        var points = 0
        for target in policy.aggregations {
            let stored = try await processor.readAggregates(
                metric: Self.metric, policy: policy, aggregation: target.aggregation,
                granularity: target.granularity)
            #expect(stored == model.series(target), "\(target)")
            points += stored.count
        }
        #expect(points > 100)
        let buffer = try #require(try await fixture.aggregates.buffer(of: Self.metric))
        #expect(try RawSeriesCodec.decode(buffer) == model.buffer)
    }

    @Test func corruptSplitIsCountedAndTheMetricKeepsWorking() async throws {
        let fixture = try ProcessingFixture("corrupt-split")
        defer { fixture.remove() }
        let policy = try Self.smallPolicy()
        var logged: [String] = []
        let lines = LogLines()
        let processor = MetricProcessor(aggregates: fixture.aggregates, log: { lines.append($0) })
        try await processor.process(metric: Self.metric, policy: policy, measures: Self.batches[0])
        // Flip one bit in the middle of the stored mean@60 split, on disk: inside its
        // blob in the 60 s pack's record in the aggregate log (the pack header stays intact).
        let key = try #require(
            try await fixture.aggregates.splitKeys(
                of: Self.metric, aggregation: "mean", granularity: .seconds(60)
            )
            .first)
        let address = SplitAddress(aggregation: "mean", granularity: .seconds(60), key: key)
        let blob = try #require(try await fixture.aggregates.split(address, of: Self.metric))
        let log = fixture.path + "/aggregate/log"
        let segments = try FileManager.default.contentsOfDirectory(atPath: log).sorted().map {
            log + "/" + $0
        }
        let (file, offset) = try #require(
            segments.lazy.compactMap { file -> (String, Int)? in
                guard let data = try? Data(contentsOf: URL(fileURLWithPath: file)),
                    let range = data.range(of: Data(blob), options: .backwards)
                else { return nil }
                return (file, range.lowerBound)
            }.last)
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: file))
        try handle.seek(toOffset: UInt64(offset + blob.count / 2))
        try handle.write(contentsOf: Data([blob[blob.count / 2] ^ 0x10]))
        try handle.close()

        // A read of the damaged series fails (the API answers a 500 naming the metric).
        await #expect(throws: CorruptSplit.self) {
            try await processor.readAggregates(
                metric: Self.metric, policy: policy, aggregation: Aggregation(name: "mean")!,
                granularity: .seconds(60))
        }
        #expect(processor.counters.snapshot().corruptSplits == 1)
        // Other series are still served.
        let max60 = try await processor.readAggregates(
            metric: Self.metric, policy: policy, aggregation: Aggregation(name: "max")!,
            granularity: .seconds(60))
        #expect(max60.count == 3)
        // Processing goes on: the damaged split is replaced by the new aggregates
        // (what Gnocchi does: the old content of that split is lost).
        try await processor.process(metric: Self.metric, policy: policy, measures: Self.batches[1])
        #expect(processor.counters.snapshot().corruptSplits == 2)
        let after = try await processor.readAggregates(
            metric: Self.metric, policy: policy, aggregation: Aggregation(name: "mean")!,
            granularity: .seconds(60))
        #expect(!after.isEmpty)
        logged = lines.all
        #expect(logged.contains { $0.contains("Data corruption detected") && $0.contains("mean") })
    }

    @Test func corruptBufferStartsANewOne() async throws {
        let fixture = try ProcessingFixture("corrupt-buffer")
        defer { fixture.remove() }
        let policy = try Self.smallPolicy()
        let processor = MetricProcessor(aggregates: fixture.aggregates)
        try await processor.process(metric: Self.metric, policy: policy, measures: Self.batches[0])
        var buffer = try #require(try await fixture.aggregates.buffer(of: Self.metric))
        buffer[buffer.count - 1] ^= 0xFF
        try await fixture.aggregates.putBuffer(buffer, for: Self.metric)
        try await processor.process(metric: Self.metric, policy: policy, measures: Self.batches[1])
        #expect(processor.counters.snapshot().corruptBuffers == 1)
        // The new buffer holds the second batch only, as if the metric were new.
        var fresh = EngineModel(policy: policy)
        fresh.process(
            MeasureBatch(timestamps: Self.batches[1].timestamps, values: Self.batches[1].values))
        let stored = try #require(try await fixture.aggregates.buffer(of: Self.metric))
        #expect(try RawSeriesCodec.decode(stored) == fresh.buffer)
    }
}

/// Collects log lines from any thread.
final class LogLines: Sendable {
    private let lines = Mutex<[String]>([])
    func append(_ line: String) { lines.withLock { $0.append(line) } }
    var all: [String] { lines.withLock { $0 } }
}
