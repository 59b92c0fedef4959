import Foundation
import RondoneQuery
import RondoneStorage
import RondoneTimeSeries
import Synchronization
import Testing

/// The read path against a file aggregate store holding known splits: which splits are
/// read, Gnocchi 4.7.1's range rules, timespan truncation, corrupt splits, and several
/// series read concurrently.
@Suite("Series reader")
struct SeriesReaderTests {
    static let metric = MetricID("0d5a7e4c-1f0b-4c39-9d0e-2b8f6a1c3e57")!
    static let second: Int64 = 1_000_000_000
    /// A split key at 5 s (3600 points: 18 000 s per split).
    static let base: Int64 = 1_699_992_000
    static let granularity = TimeDelta.seconds(5)
    static let mean = Aggregation(name: "mean")!
    static let max = Aggregation(name: "max")!
    /// Seconds after `base`, by split key: two points before the split boundary, three
    /// in the next split, two in the one after.
    static let stored: [Int64: [Int64]] = [
        0: [17_990, 17_995], 18_000: [18_000, 18_005, 20_000], 36_000: [36_000, 36_005],
    ]

    static func policy(timespan: TimeDelta? = nil) throws -> ArchivePolicy {
        try ArchivePolicy(
            name: "reader", definition: [try ArchivePolicyItem(granularity: granularity, timespan: timespan)],
            aggregationMethods: ["mean", "max"])
    }

    /// A store with the splits of `stored` for mean (value = offset) and max (value = -offset).
    final class Fixture: Sendable {
        let path: String
        let store: FileAggregateStore
        let asked = Mutex<[SplitAddress]>([])

        init() async throws {
            path = FileManager.default.temporaryDirectory.path + "/rondone-reader-\(UUID().uuidString)"
            store = try FileAggregateStore(directory: path)
            for (key, offsets) in stored {
                for (method, sign) in [("mean", 1.0), ("max", -1.0)] {
                    let address = SplitAddress(
                        aggregation: method, granularity: granularity,
                        key: Timestamp(nanoseconds: (base + key) * second))
                    let series = Series(
                        timestamps: offsets.map { (base + $0) * second },
                        values: offsets.map { sign * Double($0) })
                    let bytes = SplitCodec.encode(
                        series, splitStart: address.key.nanoseconds, granularity: granularity.nanoseconds)
                    try await store.putSplit(bytes, address, for: metric)
                }
            }
        }

        func remove() {
            store.close()
            try? FileManager.default.removeItem(atPath: path)
        }

        /// A reader whose store records which splits it is asked for.
        func reader(onCorruptSplit: @escaping @Sendable (CorruptSplit) -> Void = { _ in }) -> SeriesReader {
            SeriesReader(aggregates: Recording(store: store, asked: self), onCorruptSplit: onCorruptSplit)
        }
    }

    static func at(_ offset: Int64?) -> Timestamp? {
        offset.map { Timestamp(nanoseconds: (base + $0) * second) }
    }

    static func offsets(_ series: Series) -> [Int64] {
        series.timestamps.map { $0 / second - base }
    }

    @Test func rangeBoundariesAsGnocchi() async throws {
        let fixture = try await Fixture()
        defer { fixture.remove() }
        let reader = fixture.reader()
        let policy = try Self.policy()
        func mean(_ from: Int64?, _ to: Int64?) async throws -> [Int64] {
            Self.offsets(
                try await reader.read(
                    metric: Self.metric, policy: policy, aggregation: Self.mean,
                    granularity: Self.granularity,
                    from: Self.at(from), to: Self.at(to)))
        }
        #expect(try await mean(nil, nil) == [17_990, 17_995, 18_000, 18_005, 20_000, 36_000, 36_005])
        // `from` rounds down to the granularity: the period covering it is returned.
        #expect(try await mean(17_997, nil) == [17_995, 18_000, 18_005, 20_000, 36_000, 36_005])
        #expect(try await mean(17_995, nil) == [17_995, 18_000, 18_005, 20_000, 36_000, 36_005])
        // `to` is exclusive and not rounded.
        #expect(try await mean(nil, 18_005) == [17_990, 17_995, 18_000])
        #expect(try await mean(nil, 18_006) == [17_990, 17_995, 18_000, 18_005])
        #expect(try await mean(18_001, 36_000) == [18_000, 18_005, 20_000])
        #expect(try await mean(40_000, nil) == [])
        #expect(try await mean(36_000, 18_000) == [])
        let max = try await reader.read(
            metric: Self.metric, policy: policy, aggregation: Self.max, granularity: Self.granularity,
            from: Self.at(36_000))
        #expect(max.values == [-36_000, -36_005])
    }

    @Test func readsOnlyTheSplitsOfTheRange() async throws {
        let fixture = try await Fixture()
        defer { fixture.remove() }
        let reader = fixture.reader()
        let policy = try Self.policy()
        _ = try await reader.read(
            metric: Self.metric, policy: policy, aggregation: Self.mean, granularity: Self.granularity,
            from: Self.at(18_001), to: Self.at(20_001))
        #expect(
            fixture.asked.withLock { $0 }.map { $0.key.nanoseconds / Self.second - Self.base } == [18_000])
        fixture.asked.withLock { $0 = [] }
        _ = try await reader.read(
            metric: Self.metric, policy: policy, aggregation: Self.mean, granularity: Self.granularity,
            to: Self.at(36_000))
        // The split holding `to` is read (`to` may fall inside it), none after.
        #expect(
            fixture.asked.withLock { $0 }.map { $0.key.nanoseconds / Self.second - Self.base } == [
                0, 18_000, 36_000,
            ])
    }

    @Test func truncatedToTheTimespan() async throws {
        let fixture = try await Fixture()
        defer { fixture.remove() }
        let policy = try Self.policy(timespan: .seconds(60))
        let series = try await fixture.reader().read(
            metric: Self.metric, policy: policy, aggregation: Self.mean, granularity: Self.granularity)
        // A resized policy keeps 60 s before the newest point: older splits are not shown.
        #expect(Self.offsets(series) == [36_000, 36_005])
        let wide = try await fixture.reader().read(
            metric: Self.metric, policy: try Self.policy(timespan: .seconds(16_100)), aggregation: Self.mean,
            granularity: Self.granularity)
        #expect(Self.offsets(wide) == [20_000, 36_000, 36_005])
    }

    @Test func corruptSplitIsReportedAndFailsTheRead() async throws {
        let fixture = try await Fixture()
        defer { fixture.remove() }
        let address = SplitAddress(
            aggregation: "mean", granularity: Self.granularity,
            key: Timestamp(nanoseconds: (Self.base + 18_000) * Self.second))
        var bytes = try #require(try await fixture.store.split(address, of: Self.metric))
        bytes[bytes.count / 2] ^= 0x10
        try await fixture.store.putSplit(bytes, address, for: Self.metric)
        let reported = Mutex<[CorruptSplit]>([])
        let reader = fixture.reader(onCorruptSplit: { corrupt in reported.withLock { $0.append(corrupt) } })
        let policy = try Self.policy()
        // Never the points of the other splits, as if they were the series.
        await #expect(throws: CorruptSplit.self) {
            try await reader.read(
                metric: Self.metric, policy: policy, aggregation: Self.mean, granularity: Self.granularity)
        }
        // A range that does not reach the damaged split reads as before.
        let late = try await reader.read(
            metric: Self.metric, policy: policy, aggregation: Self.mean, granularity: Self.granularity,
            from: Timestamp(nanoseconds: (Self.base + 36_000) * Self.second))
        #expect(Self.offsets(late) == [36_000, 36_005])
        let corrupt = try #require(reported.withLock { $0 }.first)
        #expect(reported.withLock { $0.count } == 1)
        #expect(corrupt.address == address && corrupt.metric == Self.metric)
        #expect(
            corrupt.description.hasPrefix(
                "Data corruption detected for \(Self.metric) aggregated `mean' timeserie"))
        // The other method's split in the same pack is intact.
        let max = try await reader.read(
            metric: Self.metric, policy: policy, aggregation: Self.max, granularity: Self.granularity)
        #expect(max.count == 7)
    }

    @Test func unknownAggregationIsRefused() async throws {
        let fixture = try await Fixture()
        defer { fixture.remove() }
        let policy = try Self.policy()
        await #expect(
            throws: QueryError.aggregationDoesNotExist(
                metric: Self.metric, method: "min", granularity: Self.granularity)
        ) {
            try await fixture.reader().read(
                metric: Self.metric, policy: policy, aggregation: Aggregation(name: "min")!,
                granularity: Self.granularity)
        }
        await #expect(throws: QueryError.self) {
            try await fixture.reader().read(
                metric: Self.metric, policy: policy, aggregation: Self.mean, granularity: .seconds(7))
        }
    }

    /// Many series at once come back in the order asked, and the error is the one the
    /// first failing read in that order gives, whichever finishes first.
    @Test func severalSeriesConcurrentlyInOrder() async throws {
        let fixture = try await Fixture()
        defer { fixture.remove() }
        let reader = fixture.reader()
        let policy = try Self.policy()
        let requests = (0..<40).map { index in
            SeriesRequest(
                metric: Self.metric, policy: policy, aggregation: index % 2 == 0 ? Self.mean : Self.max,
                granularity: Self.granularity, from: Self.at(Int64(index) * 1000))
        }
        let all = try await reader.read(requests)
        var expected: [Series] = []
        for request in requests { expected.append(try await reader.read(request)) }
        #expect(all == expected)
        var failing = requests
        failing[23].aggregation = Aggregation(name: "min")!
        failing[31].aggregation = Aggregation(name: "last")!
        await #expect(
            throws: QueryError.aggregationDoesNotExist(
                metric: Self.metric, method: "min", granularity: Self.granularity)
        ) {
            try await reader.read(failing)
        }
    }
}

/// Forwards to a store and records the splits asked for.
private struct Recording: AggregateStore {
    let store: FileAggregateStore
    let asked: SeriesReaderTests.Fixture

    func buffer(of metric: MetricID) async throws -> [UInt8]? { try await store.buffer(of: metric) }
    func putBuffer(_ bytes: [UInt8], for metric: MetricID) async throws {
        try await store.putBuffer(bytes, for: metric)
    }
    func deleteBuffer(of metric: MetricID) async throws { try await store.deleteBuffer(of: metric) }
    func split(_ key: SplitAddress, of metric: MetricID) async throws -> [UInt8]? {
        asked.asked.withLock { $0.append(key) }
        return try await store.split(key, of: metric)
    }
    func splits(_ keys: [SplitAddress], of metric: MetricID) async throws -> [[UInt8]?] {
        asked.asked.withLock { $0 += keys }
        return try await store.splits(keys, of: metric)
    }
    func putSplit(_ bytes: [UInt8], _ key: SplitAddress, for metric: MetricID) async throws {
        try await store.putSplit(bytes, key, for: metric)
    }
    func deleteSplit(_ key: SplitAddress, of metric: MetricID) async throws {
        try await store.deleteSplit(key, of: metric)
    }
    func splitKeys(of metric: MetricID, aggregation: String, granularity: TimeDelta) async throws
        -> [Timestamp]
    {
        try await store.splitKeys(of: metric, aggregation: aggregation, granularity: granularity)
    }
    func commit(_ changes: [MetricChanges]) async throws { try await store.commit(changes) }
    func deleteMetric(_ metric: MetricID) async throws { try await store.deleteMetric(metric) }
    func pendingDeletions() async throws -> Int { try await store.pendingDeletions() }
}
