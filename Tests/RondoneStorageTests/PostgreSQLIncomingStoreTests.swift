import Foundation
import RondoneIndexerPostgreSQL
import RondonePostgreSQLTesting
import RondoneStorage
import RondoneStoragePostgreSQL
import RondoneTesting
import RondoneTimeSeries
import Synchronization
import Testing

/// The incoming contract on PostgreSQL (a fresh schema per check), and what only a
/// shared store has to show: a second store on the same database sees the first one's
/// adds, the sack count is fixed, and add's throughput.
@Suite(.enabled(if: PostgreSQLTestSchema.isAvailable, "RONDONE_TEST_POSTGRESQL_URL is not set"))
struct PostgreSQLIncomingStoreTests {
    /// Stores opened by the contract, with the schema each works in.
    static let schemas = SchemaRegistry()

    static func open(_ url: PostgreSQLURL, sacks: Int) async throws -> PostgreSQLIncomingStore {
        try await PostgreSQLIncomingStore(
            url: url, options: .init(sacks: sacks, maximumConnections: 4), logger: PostgreSQLTestSchema.logger
        )
    }

    static let incoming = IncomingStoreContract(
        makeStore: { sacks in
            let url = try await PostgreSQLTestSchema.make()
            let store = try await open(url, sacks: sacks)
            schemas.add(store, url)
            return store
        },
        dispose: { store in
            let store = store as! PostgreSQLIncomingStore
            await store.shutdown()
            if let url = schemas.remove(store) { await PostgreSQLTestSchema.drop(url) }
        })

    @Test(arguments: IncomingStoreContract.Check.allCases)
    func incomingContract(_ check: IncomingStoreContract.Check) async throws {
        try await Self.incoming.run(check)
    }

    @Test func aSecondStoreSeesTheFirstOnesAdds() async throws {
        let url = try await PostgreSQLTestSchema.make()
        let first = try await Self.open(url, sacks: 8)
        let second = try await Self.open(url, sacks: 8)
        var random = SplitMix64(seed: 42)
        let metrics = (0..<10).map { _ in random.metric() }
        try await first.add(metrics.map { makeBatch($0, first: 0, count: 3) })
        #expect(try await second.backlogSummary().batches == 10)
        let taken = try await drainAll(second)
        #expect(taken.count == 10)
        #expect(taken[metrics[0]] == makeBatch(metrics[0], first: 0, count: 3))
        #expect(try await first.backlogSummary().batches == 0)
        // The sack count is the one the table was made with.
        await #expect(throws: StorageError.sackCountMismatch(stored: 8, requested: 16)) {
            _ = try await Self.open(url, sacks: 16)
        }
        await first.shutdown()
        await second.shutdown()
        await PostgreSQLTestSchema.drop(url)
    }

    /// A server that is not there: a clear `.backend` error, no crash and no hang (the
    /// deadline is 2 s; the time limit only catches a hang, a loaded machine runs timers
    /// late, so no time is asserted).
    @Test(.timeLimit(.minutes(2))) func anUnreachableServerIsABackendError() async throws {
        var url = try #require(PostgreSQLTestSchema.url)
        url.port = 1  // nothing listens there
        do {
            _ = try await PostgreSQLIncomingStore(
                url: url, options: .init(sacks: 8, timeout: .seconds(2)), logger: PostgreSQLTestSchema.logger)
            Issue.record("opened a store on a closed port")
        } catch StorageError.backend(let message) {
            #expect(message.contains("PostgreSQL 127.0.0.1:1/"), "\(message)")
        }
    }

    /// Throughput of `add` for the API's typical batch request: 1 000 metrics × 100
    /// points per request, 4 requests at a time. Printed, not asserted: a benchmark, so
    /// opt-in (`RONDONE_TEST_POSTGRESQL_BENCH=1`); it writes about 130 MB (table and WAL)
    /// and takes seconds of CPU in a debug build.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["RONDONE_TEST_POSTGRESQL_BENCH"] == "1"))
    func addThroughput() async throws {
        let url = try await PostgreSQLTestSchema.make()
        let store = try await Self.open(url, sacks: 128)
        var random = SplitMix64(seed: 7)
        let metrics = (0..<1000).map { _ in random.metric() }
        let requests = 40
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for client in 0..<4 {
                group.addTask {
                    for request in stride(from: client, to: requests, by: 4) {
                        try await store.add(
                            metrics.map { makeBatch($0, first: Int64(request) * 100, count: 100) })
                    }
                }
            }
            try await group.waitForAll()
        }
        let seconds =
            Double((ContinuousClock.now - started).components.attoseconds) / 1e18
            + Double((ContinuousClock.now - started).components.seconds)
        let batches = Double(requests * metrics.count)
        print(
            "PostgreSQL incoming add: \(requests) requests of 1000 metrics x 100 points in "
                + String(
                    format: "%.2f s: %.0f batches/s, %.0f points/s", seconds, batches / seconds,
                    batches * 100 / seconds))
        #expect(try await store.backlogSummary().batches == requests * metrics.count)
        await store.shutdown()
        await PostgreSQLTestSchema.drop(url)
    }
}

/// Which schema each open store works in, so the contract's dispose can drop it.
final class SchemaRegistry: Sendable {
    private let entries = Mutex<[ObjectIdentifier: PostgreSQLURL]>([:])

    func add(_ store: AnyObject, _ url: PostgreSQLURL) {
        entries.withLock { $0[ObjectIdentifier(store)] = url }
    }

    func remove(_ store: AnyObject) -> PostgreSQLURL? {
        entries.withLock { $0.removeValue(forKey: ObjectIdentifier(store)) }
    }
}
