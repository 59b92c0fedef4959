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
            address == .buffer
                || including(
                    metric,
                    SplitAddress(
                        aggregation: address.aggregation,
                        granularity: TimeDelta(nanoseconds: address.granularity),
                        key: Timestamp(nanoseconds: address.key)))
        }
        let contents = try await readAll(wanted.map(\.2))
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
                let split = SplitAddress(
                    aggregation: address.aggregation,
                    granularity: TimeDelta(nanoseconds: address.granularity),
                    key: Timestamp(nanoseconds: address.key))
                changes[metric]?.splits[split] = bytes
            }
        }
        return metrics.map { changes[$0]! }
    }

    /// Each object's bytes (nil for one that is gone), `concurrency` at a time.
    private func readAll(_ objects: [String]) async throws -> [[UInt8]?] {
        let s3 = self.s3
        var result = [[UInt8]?](repeating: nil, count: objects.count)
        try await withThrowingTaskGroup(of: (Int, [UInt8]?).self) { group in
            var next = 0
            func addNext() {
                guard next < objects.count else { return }
                let (index, key) = (next, objects[next])
                next += 1
                group.addTask { (index, try await s3.getObject(key: key)) }
            }
            for _ in 0..<concurrency { addNext() }
            while let (index, bytes) = try await group.next() {
                result[index] = bytes
                addNext()
            }
        }
        return result
    }
}
