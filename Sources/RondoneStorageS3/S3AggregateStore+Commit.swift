import PostgresNIO
import RondoneStorage
import RondoneStoragePostgreSQL
import RondoneTimeSeries

extension S3AggregateStore {
    /// Uploads every new blob under a new key, then, in one transaction fenced by
    /// `leases`, moves the pointers: all of the commit or none of it becomes current.
    /// After a failure the uploads are orphans that ``collectGarbage(grace:uploadGrace:)``
    /// deletes; nothing current was touched.
    public func commit(_ changes: [MetricChanges], fencedBy leases: [SackLease]) async throws {
        var uploads: [(key: String, bytes: [UInt8])] = []
        var linked = S3BlobColumns()
        var unlinked = S3BlobColumns()
        for change in changes {
            for address in change.splits.keys { try SplitAddress.checkAggregationName(address.aggregation) }
            for address in change.deletedSplits { try SplitAddress.checkAggregationName(address.aggregation) }
            let deleted = Set(change.deletedSplits)
            for (address, bytes) in change.splits where !deleted.contains(address) {
                let key = newObjectKey(for: change.metric)
                uploads.append((key, bytes))
                linked.append(change.metric, S3BlobAddress(address), object: key)
            }
            for address in change.deletedSplits { unlinked.append(change.metric, S3BlobAddress(address)) }
            if let buffer = change.buffer {
                let key = newObjectKey(for: change.metric)
                uploads.append((key, buffer))
                linked.append(change.metric, .buffer, object: key)
            }
        }
        if uploads.isEmpty && unlinked.isEmpty { return }
        let keys = uploads.map(\.key)
        let logger = self.logger
        if !keys.isEmpty {
            // Recorded first, so an upload whose commit never comes is found and deleted.
            try await database.withConnection("recording \(keys.count) uploads") { connection in
                try await connection.query(
                    "INSERT INTO rondone_aggregate_upload (object) SELECT unnest(\(keys)::text[])",
                    logger: logger)
            }
            try await upload(uploads)
        }
        let metrics = changes.count
        try await database.transaction("committing the aggregates of \(metrics) metrics") {
            [linked, unlinked] connection in
            try await PostgreSQLFence.check(leases, on: connection, logger: logger)
            // Every upload must still be recorded: a commit that came after its
            // uploads were collected as orphans (longer than the upload grace) must
            // not point at deleted objects.
            if !keys.isEmpty {
                var kept = 0
                let rows = try await connection.query(
                    "DELETE FROM rondone_aggregate_upload WHERE object = ANY(\(keys)::text[]) RETURNING 1",
                    logger: logger)
                for try await _ in rows { kept += 1 }
                guard kept == keys.count else {
                    throw StorageError.backend(
                        "aggregate commit of \(metrics) metrics: \(keys.count - kept) of its uploads were "
                            + "already collected as orphans; nothing was committed")
                }
            }
            try await S3AggregatePointers.unlink(unlinked, connection, logger)
            try await S3AggregatePointers.link(linked, connection, logger)
        }
    }

    /// Puts the objects, `concurrency` at a time.
    private func upload(_ uploads: [(key: String, bytes: [UInt8])]) async throws {
        let s3 = self.s3
        try await withThrowingTaskGroup(of: Void.self) { group in
            var next = 0
            for _ in 0..<min(concurrency, uploads.count) {
                let (key, bytes) = uploads[next]
                next += 1
                group.addTask { try await s3.putObject(key: key, bytes: bytes) }
            }
            while try await group.next() != nil {
                guard next < uploads.count else { continue }
                let (key, bytes) = uploads[next]
                next += 1
                group.addTask { try await s3.putObject(key: key, bytes: bytes) }
            }
        }
    }
}
