import Foundation
import RondoneIndexerPostgreSQL
import RondonePostgreSQLTesting
import RondoneStorage
import RondoneStoragePostgreSQL
import RondoneStorageS3
import RondoneTimeSeries
import Testing

/// What `rondone backup` of a deployment relies on: reads at an exported snapshot see
/// the stores as they were, whatever is committed, processed or deleted meanwhile; a
/// backup hold keeps every object in the bucket until it ends.
@Suite(
    .enabled(
        if: PostgreSQLTestSchema.isAvailable && S3TestBucket.isAvailable,
        "RONDONE_TEST_POSTGRESQL_URL or RONDONE_TEST_S3_URL is not set"))
struct BackupSnapshotTests {
    static let metric = MetricID(high: 0x1234, low: 0x5678)
    static let other = MetricID(high: 0x9999, low: 0x1)
    static let mean = SplitAddress(
        aggregation: "mean", granularity: .seconds(60), key: Timestamp(nanoseconds: 1_700_000_000_000_000_000)
    )

    @Test func waitingMeasuresAreReadAtTheSnapshotWithoutAClaim() async throws {
        let url = try await PostgreSQLTestSchema.make()
        let store = try await PostgreSQLIncomingStore(
            url: url, options: .init(sacks: 4, maximumConnections: 4), logger: PostgreSQLTestSchema.logger)
        let sack = Self.metric.sack(among: 4)
        try await store.add(IncomingBatch(metric: Self.metric, timestamps: [1, 2], values: [1, 2]))
        let export = try await PostgreSQLSnapshotExport.open(url: url, logger: PostgreSQLTestSchema.logger)
        // After the snapshot: more measures, and the first ones processed.
        let claim = try await store.claim(sack: sack)
        try await store.add(IncomingBatch(metric: Self.metric, timestamps: [3], values: [3]))
        try await store.complete(claim)
        let seen = try await store.waitingBatches(sack: sack, snapshot: export.id)
        #expect(seen == [IncomingBatch(metric: Self.metric, timestamps: [1, 2], values: [1, 2])])
        #expect(try await store.waitingMeasureCount(snapshot: export.id) == 2)
        // Now: only what came after.
        #expect(try await store.waitingBatches(sack: sack, snapshot: nil).map(\.timestamps) == [[3]])
        // Reading took no claim: processing claims the sack as usual.
        let next = try await store.claim(sack: sack)
        await store.release(next)
        await export.close()
        await store.shutdown()
        await PostgreSQLTestSchema.drop(url)
    }

    @Test func aHoldKeepsEveryObjectTheSnapshotNamesUntilItEnds() async throws {
        let (store, url) = try await S3AggregateStoreTests.makeStore()
        for version in 0..<2 {
            try await store.commit([
                MetricChanges(
                    metric: Self.metric, splits: [Self.mean: [UInt8(version)]], buffer: [UInt8(version)]),
                MetricChanges(metric: Self.other, buffer: [UInt8(10 + version)]),
            ])
        }
        let hold = try await PostgreSQLSnapshotExport.open(
            url: url, lock: S3AggregateStore.backupHoldLock, logger: PostgreSQLTestSchema.logger)
        // After the snapshot: a new version, a deleted metric, and the janitor at work.
        try await store.commit([MetricChanges(metric: Self.metric, splits: [Self.mean: [2]], buffer: [2])])
        try await store.deleteMetric(Self.other)
        #expect(try await store.collectGarbage(grace: .zero) == .init(superseded: 0, orphans: 0))
        #expect(try await store.buffer(of: Self.other) == nil)
        let seen = try await store.blobs(of: [Self.metric, Self.other], snapshot: hold.id) { _, _ in true }
        #expect(
            seen == [
                MetricChanges(metric: Self.metric, splits: [Self.mean: [1]], buffer: [1]),
                MetricChanges(metric: Self.other, buffer: [11]),
            ])
        // A split the filter leaves out is not read.
        let buffers = try await store.blobs(of: [Self.metric], snapshot: hold.id) { _, _ in false }
        #expect(buffers == [MetricChanges(metric: Self.metric, buffer: [1])])
        await hold.close()

        // Released: everything superseded or deleted goes.
        let collected = try await store.collectGarbage(grace: .zero)
        #expect(collected.superseded == 6)
        #expect(try await store.s3.listAllObjects(prefix: "aggregates/").count == 2)
        #expect(try await store.pendingDeletions() == 0)
        await S3AggregateStoreTests.dispose(store)
    }

    @Test func theHoldOfABackupThatDiedIsGone() async throws {
        let (store, url) = try await S3AggregateStoreTests.makeStore()
        try await store.commit([MetricChanges(metric: Self.metric, buffer: [1])])
        try await store.commit([MetricChanges(metric: Self.metric, buffer: [2])])
        let hold = try await PostgreSQLSnapshotExport.open(
            url: url, lock: S3AggregateStore.backupHoldLock, logger: PostgreSQLTestSchema.logger)
        #expect(try await store.collectGarbage(grace: .zero).superseded == 0)
        // The backup's session ends without a word (its process killed): this test's
        // hold only (the second key is the schema's hash).
        let schema = String(url.options?.split(separator: "=").last ?? "")
        let terminated = try await PostgreSQLTestSchema.admin { connection in
            try await connection.query(
                """
                SELECT pg_terminate_backend(pid) FROM pg_locks
                WHERE locktype = 'advisory' AND granted
                  AND classid = \(Int64(S3AggregateStore.backupHoldLock))::oid
                  AND objid = (hashtext(\(schema)) & 4294967295::int8)::oid
                """, logger: PostgreSQLTestSchema.logger
            ).collect().count
        }
        #expect(terminated == 1)
        var superseded = 0
        for _ in 0..<50 where superseded == 0 {
            superseded = try await store.collectGarbage(grace: .zero).superseded
            if superseded == 0 { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(superseded == 1)
        await hold.close()
        await S3AggregateStoreTests.dispose(store)
    }
}
