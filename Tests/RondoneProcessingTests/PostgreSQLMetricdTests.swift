import Foundation
import Logging
import PostgresNIO
import RondoneIndexerPostgreSQL
import RondonePostgreSQLTesting
import RondoneProcessing
import RondoneProcessingPostgreSQL
import RondoneStorage
import RondoneStoragePostgreSQL
import RondoneTimeSeries
import Synchronization
import Testing

/// Two metricd processes (each a `Metricd` with its own PostgreSQL coordinator and
/// incoming store, on one database) share the work; writers post through either
/// store; one metricd goes away half-way. Every acknowledged measure is aggregated
/// exactly once: every per-second count is 1 and the sums add up.
@Suite(.enabled(if: PostgreSQLTestSchema.isAvailable, "RONDONE_TEST_POSTGRESQL_URL is not set"))
struct PostgreSQLMetricdTests {
    enum Departure: String, CaseIterable, Sendable {
        /// `stop()`: its workers finish, it leaves, its sacks move at once.
        case stopped
        /// Its heartbeat stops but its workers run on (a paused or partitioned process):
        /// its leases expire, the other takes its sacks, its commits are fenced out.
        case heartbeatLost
    }

    static let t0: Int64 = 1_700_000_000_000_000_000
    static let second: Int64 = 1_000_000_000

    @Test(arguments: Departure.allCases)
    func twoMetricdAggregateEveryMeasureOnce(_ departure: Departure) async throws {
        let url = try await PostgreSQLTestSchema.make()
        // In memory: the point is the sharing and the fence, not the files (whose syncfs
        // would also flush the test servers' unsynced pages, slowing every other test).
        let aggregates = FencedAggregateStore(MemoryAggregateStore(), url: url)
        let policy = try policy([(1, nil)], methods: ["count", "sum"])
        let metrics = (0..<24).map { MetricID(high: 0xFEED, low: UInt64($0) &* 0x9E37_79B9) }
        let catalog = InMemoryMetricCatalog(Dictionary(uniqueKeysWithValues: metrics.map { ($0, policy) }))
        var stores: [PostgreSQLIncomingStore] = []
        var coordinators: [PostgreSQLCoordinator] = []
        var daemons: [Metricd] = []
        for _ in 0..<2 {
            let store = try await PostgreSQLIncomingStore(
                url: url, options: .init(sacks: 8, maximumConnections: 4),
                logger: PostgreSQLTestSchema.logger)
            let coordinator = PostgreSQLCoordinator(
                url: url, options: .init(leaseTTL: .seconds(2)), logger: PostgreSQLTestSchema.logger)
            let metricd = Metricd(
                incoming: store, aggregates: aggregates, catalog: catalog, coordinator: coordinator,
                options: .init(processingDelay: .milliseconds(200)))
            try await metricd.start(workers: 2)
            stores.append(store)
            coordinators.append(coordinator)
            daemons.append(metricd)
        }
        let acknowledged = SharedCount()
        let valueSum = SharedTotal()
        let writers = 4
        let rounds = 50
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<writers {
                // No wake-ups: as behind separate API nodes, the workers find the
                // measures on their next round (every 200 ms here).
                group.addTask { [stores] in
                    var next = [Int64](repeating: Self.t0, count: metrics.count / writers)
                    for round in 0..<rounds {
                        let slot = round % next.count
                        let count = round % 7 + 1
                        let timestamps = (0..<count).map { next[slot] + Int64($0) * Self.second }
                        next[slot] += Int64(count) * Self.second
                        let values = timestamps.map { Double($0 / Self.second % 1000) }
                        let metric = metrics[writer * next.count + slot]
                        try await stores[round % 2].add(
                            IncomingBatch(metric: metric, timestamps: timestamps, values: values))
                        acknowledged.add(count)
                        valueSum.add(values.reduce(0, +))
                        try await Task.sleep(for: .milliseconds(60))
                    }
                }
            }
            // After a second (of about three), the first metricd goes away.
            group.addTask { [daemons, coordinators] in
                try await Task.sleep(for: .seconds(1))
                switch departure {
                case .stopped: await daemons[0].stop()
                case .heartbeatLost: await coordinators[0].stopHeartbeat()
                }
            }
            try await group.waitForAll()
        }
        #expect(try await eventually(seconds: 30) { try await stores[1].backlogSummary().batches == 0 })
        for metricd in daemons { await metricd.stop() }
        var countSum = 0.0
        var sum = 0.0
        for metric in metrics {
            let counts = try await daemons[1].processor.readAggregates(
                metric: metric, policy: policy, aggregation: Aggregation(name: "count")!,
                granularity: .seconds(1))
            #expect(counts.values.allSatisfy { $0 == 1 }, "a time stamp of \(metric) aggregated twice")
            countSum += total(counts)
            sum += total(
                try await daemons[1].processor.readAggregates(
                    metric: metric, policy: policy, aggregation: Aggregation(name: "sum")!,
                    granularity: .seconds(1)))
        }
        #expect(Int(countSum) == acknowledged.value)
        #expect(sum == valueSum.value)
        let processed = daemons.map { $0.counters.snapshot().measuresProcessed }
        print(
            "metricd on PostgreSQL (\(departure)): measures processed per metricd \(processed), "
                + "commits refused by the fence \(aggregates.refused.load(ordering: .relaxed))")
        #expect(processed[0] > 0 && processed[1] > 0, "both metricd took part: \(processed)")
        for coordinator in coordinators { await coordinator.shutdown() }
        for store in stores { await store.shutdown() }
        await aggregates.shutdown()
        await PostgreSQLTestSchema.drop(url)
    }
}

/// An aggregate store made shared the way the S3 store is: each commit runs inside
/// a PostgreSQL transaction that first checks the leases with `PostgreSQLFence` (and
/// holds their rows until the commit is done), so a worker whose lease is gone writes
/// nothing.
final class FencedAggregateStore: AggregateStore {
    let base: any AggregateStore
    let client: PostgresClient
    let runner: Task<Void, Never>
    let logger = PostgreSQLTestSchema.logger
    let refused = Atomic<Int>(0)

    init(_ base: any AggregateStore, url: PostgreSQLURL) {
        self.base = base
        let client = PostgresClient(configuration: url.clientConfiguration)
        self.client = client
        runner = Task { await client.run() }
    }

    func shutdown() async {
        runner.cancel()
        await runner.value
    }

    func commit(_ changes: [MetricChanges]) async throws { try await base.commit(changes) }

    func commit(_ changes: [MetricChanges], fencedBy leases: [SackLease]) async throws {
        try await client.withConnection { connection in
            try await connection.query("BEGIN", logger: logger)
            do {
                try await PostgreSQLFence.check(leases, on: connection, logger: logger)
                try await base.commit(changes)
            } catch {
                if case StorageError.leaseLost = error { refused.add(1, ordering: .relaxed) }
                _ = try? await connection.query("ROLLBACK", logger: logger)
                throw error
            }
            try await connection.query("COMMIT", logger: logger)
        }
    }

    func buffer(of metric: MetricID) async throws -> [UInt8]? { try await base.buffer(of: metric) }
    func putBuffer(_ bytes: [UInt8], for metric: MetricID) async throws {
        try await base.putBuffer(bytes, for: metric)
    }
    func deleteBuffer(of metric: MetricID) async throws { try await base.deleteBuffer(of: metric) }
    func split(_ key: SplitAddress, of metric: MetricID) async throws -> [UInt8]? {
        try await base.split(key, of: metric)
    }
    func splits(_ keys: [SplitAddress], of metric: MetricID) async throws -> [[UInt8]?] {
        try await base.splits(keys, of: metric)
    }
    func putSplit(_ bytes: [UInt8], _ key: SplitAddress, for metric: MetricID) async throws {
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

/// A sum shared by concurrent test tasks.
final class SharedTotal: Sendable {
    private let total = Mutex<Double>(0)
    func add(_ value: Double) { total.withLock { $0 += value } }
    var value: Double { total.withLock { $0 } }
}

/// Blobs in memory; `commit` is the protocol's default (splits, then buffers).
final class MemoryAggregateStore: AggregateStore {
    private struct Blobs {
        var buffers: [MetricID: [UInt8]] = [:]
        var splits: [MetricID: [SplitAddress: [UInt8]]] = [:]
    }

    private let blobs = Mutex(Blobs())

    func buffer(of metric: MetricID) async throws -> [UInt8]? { blobs.withLock { $0.buffers[metric] } }
    func putBuffer(_ bytes: [UInt8], for metric: MetricID) async throws {
        blobs.withLock { $0.buffers[metric] = bytes }
    }
    func deleteBuffer(of metric: MetricID) async throws {
        _ = blobs.withLock { $0.buffers.removeValue(forKey: metric) }
    }
    func split(_ key: SplitAddress, of metric: MetricID) async throws -> [UInt8]? {
        blobs.withLock { $0.splits[metric]?[key] }
    }
    func putSplit(_ bytes: [UInt8], _ key: SplitAddress, for metric: MetricID) async throws {
        blobs.withLock { $0.splits[metric, default: [:]][key] = bytes }
    }
    func deleteSplit(_ key: SplitAddress, of metric: MetricID) async throws {
        _ = blobs.withLock { $0.splits[metric]?.removeValue(forKey: key) }
    }
    func splitKeys(of metric: MetricID, aggregation: String, granularity: TimeDelta) async throws
        -> [Timestamp]
    {
        blobs.withLock { blobs in
            (blobs.splits[metric] ?? [:]).keys.filter {
                $0.aggregation == aggregation && $0.granularity == granularity
            }
            .map(\.key).sorted()
        }
    }
    func deleteMetric(_ metric: MetricID) async throws {
        blobs.withLock { blobs in
            blobs.buffers[metric] = nil
            blobs.splits[metric] = nil
        }
    }
    func pendingDeletions() async throws -> Int { 0 }
}
