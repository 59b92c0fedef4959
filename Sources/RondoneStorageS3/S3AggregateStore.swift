public import Logging
import PostgresNIO
public import RondoneIndexerPostgreSQL
public import RondoneS3
public import RondoneStorage
import RondoneStoragePostgreSQL
public import RondoneTimeSeries

/// The ``AggregateStore`` of a scaled-out deployment: every blob (a metric's
/// unaggregated buffer, each split) is an S3 object that is **never overwritten**, and
/// PostgreSQL records which object is current.
///
/// * A write uploads new objects under unique keys (`aggregates/<metric>/<128 random
///   bits>`), then moves the pointers in one PostgreSQL transaction. So a reader sees
///   the old blob or the new one, whole, and S3's consistency never matters: a key is
///   read only after the transaction that names it committed.
/// * A processing commit (``commit(_:fencedBy:)``) checks, inside that transaction,
///   that every lease it carries is still its sack's current one
///   (``PostgreSQLFence``): a worker that paused past its lease leaves orphans behind,
///   never a pointer to its stale data.
/// * Superseded objects go to a garbage table in the same transaction; uploads are
///   recorded before they start, so an upload whose commit never came is found too.
///   ``collectGarbage(grace:uploadGrace:limit:)`` (the janitor's housekeeping, safe to
///   run in many processes at once) deletes both after a grace period, so a read that
///   found a pointer just before it moved still finds its object.
/// * A deleted metric's objects are deleted from the bucket at once (``deleteMetric(_:)``);
///   what a failure leaves goes through the garbage table like the rest.
///
/// The pointer tables live in the coordination database, beside the leases they are
/// fenced by (docs/SCALEOUT.md).
public final class S3AggregateStore: AggregateStore {
    /// The bucket.
    public let s3: S3Client
    let database: PostgreSQLDatabase
    var logger: Logger { database.logger }
    /// Uploads and reads running at once for one call.
    let concurrency: Int

    /// A store over `s3`'s bucket whose pointers live in the database at `url` (the
    /// coordination database: the leases that fence commits are there). Call
    /// ``upgrade()`` once (`rondone upgrade`, or every start) before use; `shutdown()`
    /// when done (the S3 client is the caller's).
    public init(
        s3: S3Client, url: PostgreSQLURL, maximumConnections: Int = 8, timeout: Duration = .seconds(30),
        concurrency: Int = 16, logger: Logger? = nil
    ) {
        self.s3 = s3
        self.database = PostgreSQLDatabase(
            url: url, maximumConnections: maximumConnections, timeout: timeout,
            logger: logger ?? Logger(label: "rondone.aggregates.s3"))
        self.concurrency = max(1, concurrency)
    }

    /// Closes the database connections.
    public func shutdown() async {
        await database.shutdown()
    }

    /// Creates the pointer tables (idempotent, under an advisory lock) and the bucket.
    public func upgrade() async throws {
        try await s3.createBucketIfMissing()
        let logger = self.logger
        try await database.transaction("creating the aggregate pointer tables") { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(7262707011)", logger: logger)
            for statement in S3AggregateSchema.statements {
                try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
            }
        }
    }

    // MARK: Single blobs, as one-change commits

    public func putBuffer(_ bytes: [UInt8], for metric: MetricID) async throws {
        try await commit([MetricChanges(metric: metric, buffer: bytes)])
    }

    public func deleteBuffer(of metric: MetricID) async throws {
        try await unlink(metric, [S3BlobAddress.buffer])
    }

    public func putSplit(_ bytes: [UInt8], _ key: SplitAddress, for metric: MetricID) async throws {
        try await commit([MetricChanges(metric: metric, splits: [key: bytes])])
    }

    public func deleteSplit(_ key: SplitAddress, of metric: MetricID) async throws {
        try await unlink(metric, [S3BlobAddress(key)])
    }

    public func commit(_ changes: [MetricChanges]) async throws {
        try await commit(changes, fencedBy: [])
    }

    /// Removes everything stored for the metric at once: its pointers go in one
    /// transaction, then its objects are deleted from the bucket. Objects a failure
    /// leaves behind stay in the garbage table for the janitor (``pendingDeletions()``
    /// counts their metrics), and so do all of them while a backup holds the bucket
    /// (``backupHoldLock``); a read in flight finds no pointer any more and answers
    /// nothing.
    public func deleteMetric(_ metric: MetricID) async throws {
        let (logger, id) = (self.logger, metric.description)
        let objects = try await database.transaction("deleting the aggregates of metric \(metric)") {
            connection in
            // While a backup holds the bucket, the objects wait in the garbage table.
            let held = try await !self.holdIsFree(connection)
            let rows = try await connection.query(
                """
                WITH gone AS (DELETE FROM rondone_aggregate WHERE metric = \(id)::uuid RETURNING object, metric)
                INSERT INTO rondone_aggregate_garbage (object, metric, deleted_metric)
                SELECT object, metric, true FROM gone
                ON CONFLICT (object) DO UPDATE SET deleted_metric = true
                RETURNING object
                """, logger: logger)
            var objects: [String] = []
            for try await object in rows.decode(String.self) { objects.append(object) }
            return held ? [] : objects
        }
        guard !objects.isEmpty else { return }
        try await s3.deleteObjects(keys: objects)
        try await database.withConnection("forgetting the deleted objects of metric \(metric)") {
            connection in
            try await connection.query(
                "DELETE FROM rondone_aggregate_garbage WHERE object = ANY(\(objects)::text[])", logger: logger
            )
        }
    }

    /// Deleted metrics whose objects are not deleted from the bucket yet.
    public func pendingDeletions() async throws -> Int {
        let logger = self.logger
        return try await database.withConnection("counting deleted metrics") { connection in
            let rows = try await connection.query(
                "SELECT count(DISTINCT metric)::int8 FROM rondone_aggregate_garbage WHERE deleted_metric",
                logger: logger)
            for try await count in rows.decode(Int64.self) { return Int(count) }
            return 0
        }
    }

    /// Points the addresses of `metric` at nothing (their objects go to the garbage).
    private func unlink(_ metric: MetricID, _ addresses: [S3BlobAddress]) async throws {
        var blobs = S3BlobColumns()
        for address in addresses { blobs.append(metric, address) }
        let logger = self.logger
        try await database.transaction("deleting blobs of metric \(metric)") { [blobs] connection in
            try await S3AggregatePointers.unlink(blobs, connection, logger)
        }
    }

    /// A new object key for a blob of `metric`: never used before, never reused.
    func newObjectKey(for metric: MetricID) -> String {
        var generator = SystemRandomNumberGenerator()
        let suffix =
            String(generator.next() as UInt64, radix: 16) + "-"
            + String(generator.next() as UInt64, radix: 16)
        return "aggregates/\(metric)/\(suffix)"
    }
}
