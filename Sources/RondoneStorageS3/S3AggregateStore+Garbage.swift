import PostgresNIO
import RondoneStorage
import RondoneStoragePostgreSQL

extension S3AggregateStore {
    /// What one pass of ``collectGarbage(grace:uploadGrace:limit:)`` deleted.
    public struct GarbageCollected: Sendable, Equatable {
        /// Superseded objects and those of deleted metrics.
        public var superseded: Int
        /// Uploads whose commit never came.
        public var orphans: Int

        public init(superseded: Int, orphans: Int) {
            self.superseded = superseded
            self.orphans = orphans
        }
    }

    /// Deletes from the bucket the objects no pointer names since `grace` (superseded,
    /// or of deleted metrics), and the uploads whose commit has not come within
    /// `uploadGrace`, at most `limit` of each. Safe in many processes at once: each
    /// takes rows the others have not locked (`SKIP LOCKED`), and a row goes only after
    /// its object is deleted. Superseded objects wait while a backup holds the bucket
    /// (``backupHoldLock``).
    @discardableResult
    public func collectGarbage(
        grace: Duration = .seconds(60), uploadGrace: Duration = .seconds(600), limit: Int = 1000
    ) async throws -> GarbageCollected {
        let superseded = try await collect(
            table: "rondone_aggregate_garbage", olderThan: grace, limit: limit, respectingHold: true)
        let orphans = try await collect(
            table: "rondone_aggregate_upload", olderThan: uploadGrace, limit: limit, respectingHold: false)
        return GarbageCollected(superseded: superseded, orphans: orphans)
    }

    /// With `respectingHold`, nothing while a backup holds the bucket (its snapshot may
    /// name superseded objects; uploads never committed it does not).
    private func collect(table: String, olderThan grace: Duration, limit: Int, respectingHold: Bool)
        async throws -> Int
    {
        let seconds = Double(grace.components.seconds) + Double(grace.components.attoseconds) / 1e18
        let (s3, logger, limit) = (self.s3, self.logger, Int64(max(1, limit)))
        return try await database.transaction("collecting garbage in \(table)") { connection in
            if respectingHold, try await !self.holdIsFree(connection) { return 0 }
            let rows = try await connection.query(
                """
                SELECT object FROM \(unescaped: table)
                WHERE since < clock_timestamp() - make_interval(secs => \(seconds))
                ORDER BY since LIMIT \(limit) FOR UPDATE SKIP LOCKED
                """, logger: logger)
            var objects: [String] = []
            for try await object in rows.decode(String.self) { objects.append(object) }
            guard !objects.isEmpty else { return 0 }
            // The rows stay locked (and in place) until their objects are gone.
            try await s3.deleteObjects(keys: objects)
            try await connection.query(
                "DELETE FROM \(unescaped: table) WHERE object = ANY(\(objects)::text[])", logger: logger)
            return objects.count
        }
    }
}
