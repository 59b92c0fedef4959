import Foundation
import RondoneIndexerPostgreSQL
import RondonePostgreSQLTesting
import RondoneProcessingPostgreSQL
import RondoneS3
import RondoneStorage
import RondoneStorageS3
import RondoneTimeSeries
import Testing

/// The aggregate contract on S3 (moto, signatures checked) with the pointers in
/// PostgreSQL (a fresh schema and a fresh bucket per check), and what only a store
/// shared between processes must show: a second instance sees the first one's commits,
/// a commit whose lease is no longer current writes nothing, and garbage is collected.
@Suite(
    .enabled(
        if: PostgreSQLTestSchema.isAvailable && S3TestBucket.isAvailable,
        "RONDONE_TEST_POSTGRESQL_URL or RONDONE_TEST_S3_URL is not set"))
struct S3AggregateStoreTests {
    static let opened = SchemaRegistry()

    static let aggregate = AggregateStoreContract(
        makeStore: {
            let (store, _) = try await makeStore()
            return store
        },
        dispose: { store in await dispose(store as! S3AggregateStore) })

    /// A store on a new schema and a new bucket, upgraded.
    static func makeStore() async throws -> (S3AggregateStore, PostgreSQLURL) {
        let url = try await PostgreSQLTestSchema.make()
        let store = S3AggregateStore(
            s3: try S3TestBucket.client(), url: url, maximumConnections: 4,
            logger: PostgreSQLTestSchema.logger)
        try await store.upgrade()
        opened.add(store, url)
        return (store, url)
    }

    static func dispose(_ store: S3AggregateStore) async {
        await store.shutdown()
        try? await store.s3.shutdown()
        if let url = opened.remove(store) { await PostgreSQLTestSchema.drop(url) }
    }

    @Test(arguments: AggregateStoreContract.Check.allCases)
    func aggregateContract(_ check: AggregateStoreContract.Check) async throws {
        try await Self.aggregate.run(check)
    }

    static let metric = MetricID(high: 0x1234, low: 0x5678)
    static let mean = SplitAddress(
        aggregation: "mean", granularity: .seconds(60), key: Timestamp(nanoseconds: 1_700_000_000_000_000_000)
    )

    @Test func aSecondStoreSeesTheFirstOnesCommits() async throws {
        let (first, url) = try await Self.makeStore()
        let second = S3AggregateStore(
            s3: first.s3, url: url, maximumConnections: 2, logger: PostgreSQLTestSchema.logger)
        try await first.commit([MetricChanges(metric: Self.metric, splits: [Self.mean: [1, 2]], buffer: [3])])
        #expect(try await second.split(Self.mean, of: Self.metric) == [1, 2])
        #expect(try await second.buffer(of: Self.metric) == [3])
        try await second.commit([MetricChanges(metric: Self.metric, buffer: [4])])
        #expect(try await first.buffer(of: Self.metric) == [4])
        await second.shutdown()
        await Self.dispose(first)
    }

    @Test func aCommitUnderALostLeaseWritesNothingAndLeavesOnlyOrphans() async throws {
        let (store, url) = try await Self.makeStore()
        let coordinator = PostgreSQLCoordinator(url: url, logger: PostgreSQLTestSchema.logger)
        try await coordinator.upgrade()
        let lease = try #require(try await coordinator.lease(sack: 3))
        try await store.commit([MetricChanges(metric: Self.metric, buffer: [1])], fencedBy: [lease])
        let stale = SackLease(sack: lease.sack, token: lease.token - 1)
        await #expect(throws: StorageError.leaseLost(stale)) {
            try await store.commit(
                [MetricChanges(metric: Self.metric, splits: [Self.mean: [9]], buffer: [2])], fencedBy: [stale]
            )
        }
        #expect(try await store.buffer(of: Self.metric) == [1])
        #expect(try await store.split(Self.mean, of: Self.metric) == nil)
        // The refused commit's two uploads are orphans: collected once past the grace.
        #expect(try await store.s3.listAllObjects(prefix: "aggregates/").count == 3)
        let collected = try await store.collectGarbage(grace: .zero, uploadGrace: .zero)
        #expect(collected == .init(superseded: 0, orphans: 2))
        #expect(try await store.s3.listAllObjects(prefix: "aggregates/").count == 1)
        #expect(try await store.buffer(of: Self.metric) == [1])
        // A released lease fences nothing any more either.
        await coordinator.release(lease)
        await #expect(throws: StorageError.leaseLost(lease)) {
            try await store.commit([MetricChanges(metric: Self.metric, buffer: [5])], fencedBy: [lease])
        }
        await coordinator.shutdown()
        await Self.dispose(store)
    }

    @Test func supersededAndDeletedObjectsAreCollectedAfterTheGrace() async throws {
        let (store, _) = try await Self.makeStore()
        for version in 0..<3 {
            try await store.commit([
                MetricChanges(
                    metric: Self.metric, splits: [Self.mean: [UInt8(version)]], buffer: [UInt8(version)])
            ])
        }
        #expect(try await store.s3.listAllObjects(prefix: "aggregates/").count == 6)
        // Within the grace, a reader that found an old pointer still finds its object.
        #expect(try await store.collectGarbage(grace: .seconds(3600)) == .init(superseded: 0, orphans: 0))
        #expect(try await store.collectGarbage(grace: .zero) == .init(superseded: 4, orphans: 0))
        #expect(try await store.s3.listAllObjects(prefix: "aggregates/").count == 2)
        #expect(try await store.split(Self.mean, of: Self.metric) == [2])

        // A deleted metric's objects go at once, without waiting for the janitor.
        try await store.deleteMetric(Self.metric)
        #expect(try await store.buffer(of: Self.metric) == nil)
        #expect(try await store.pendingDeletions() == 0)
        #expect(try await store.s3.listAllObjects(prefix: "aggregates/").isEmpty)
        #expect(try await store.collectGarbage(grace: .zero) == .init(superseded: 0, orphans: 0))
        await Self.dispose(store)
    }
}

/// The S3 server the tests may use (`RONDONE_TEST_S3_URL` and `AWS_*`, as
/// scripts/s3-test-server.sh exports them), a new bucket per client.
enum S3TestBucket {
    static let environment = ProcessInfo.processInfo.environment
    static var isAvailable: Bool { environment["RONDONE_TEST_S3_URL"] != nil }

    /// A client of a new bucket on the test server.
    static func client() throws -> S3Client {
        let base = try S3URL(parsing: environment["RONDONE_TEST_S3_URL"] ?? "", environment: environment)
        var url = base
        url.bucket =
            "rondone-test-"
            + UUID().uuidString.prefix(13).lowercased().replacingOccurrences(of: "-", with: "")
        return S3Client(url: url)
    }
}
