import PostgresNIO
public import RondoneStorage
import RondoneStoragePostgreSQL
public import RondoneTimeSeries

// Reading many metrics' blobs as the pointers were at an exported snapshot (a backup).
extension S3AggregateStore {
    /// Every blob of `metrics` that `including` keeps (the buffer always), as the
    /// pointers were at the exported snapshot `snapshot` (now, when nil): one query for
    /// the pointers, then the objects read `concurrency` at a time. One
    /// ``MetricChanges`` per metric, in the order given (empty where nothing is stored).
    ///
    /// The objects a snapshot names stay in the bucket only while a backup hold
    /// (``backupHoldLock``) is held from before the snapshot was taken: superseded
    /// objects are deleted 60 s later otherwise.
    ///
    /// - Throws: `StorageError.backend` when a named object is missing from the bucket.
    public func blobs(
        of metrics: [MetricID], snapshot: String?,
        including: @escaping @Sendable (MetricID, SplitAddress) -> Bool
    ) async throws -> [MetricChanges] {
        guard !metrics.isEmpty else { return [] }
        let logger = self.logger
        let ids = metrics.map(\.description)
        let pointers = try await database.snapshotRead(
            "reading the pointers of \(metrics.count) metrics", snapshot: snapshot
        ) { connection in
            let rows = try await connection.query(
                """
                SELECT metric::text, aggregation, granularity, key, object FROM rondone_aggregate
                WHERE metric = ANY(\(ids)::text[]::uuid[])
                """, logger: logger)
            var pointers: [(MetricID, S3BlobAddress, String)] = []
            for try await (metric, aggregation, granularity, key, object) in rows.decode(
                (String, String, Int64, Int64, String).self)
            {
                guard let id = MetricID(metric) else {
                    throw StorageError.backend(
                        "rondone_aggregate holds a metric id \(metric) that is not one")
                }
                pointers.append(
                    (id, S3BlobAddress(aggregation: aggregation, granularity: granularity, key: key), object))
            }
            return pointers
        }
        let wanted = pointers.filter { metric, address, _ in
            address == .buffer || including(metric, address.split)
        }
        let contents = try await read(wanted.map(\.2))
        var changes = Dictionary(uniqueKeysWithValues: metrics.map { ($0, MetricChanges(metric: $0)) })
        for ((metric, address, object), bytes) in zip(wanted, contents) {
            guard let bytes else {
                throw StorageError.backend(
                    "aggregate object \(object) of metric \(metric) is missing from the bucket \(s3.url.bucket)"
                )
            }
            if address == .buffer {
                changes[metric]?.buffer = bytes
            } else {
                changes[metric]?.splits[address.split] = bytes
            }
        }
        return metrics.map { changes[$0]! }
    }
}

extension S3BlobAddress {
    /// The split this row key names (meaningless for ``buffer``).
    fileprivate var split: SplitAddress {
        SplitAddress(
            aggregation: aggregation, granularity: TimeDelta(nanoseconds: granularity),
            key: Timestamp(nanoseconds: key))
    }
}
