import PostgresNIO
import RondonePostgreSQL
import RondoneStorage

extension S3AggregateStore {
    /// What one pass of ``collectGarbage(grace:uploadGrace:limit:)`` deleted.
    public struct GarbageCollected: Sendable, Equatable {
        /// Superseded objects and those of deleted metrics.
        public var superseded: Int
        /// Uploads whose commit never came.
        public var orphans: Int
    }

    /// Deletes from the bucket the objects no pointer names since `grace` (superseded,
    /// or of deleted metrics), and the uploads whose commit has not come within
    /// `uploadGrace`, at most `limit` of each. Safe in many processes at once: each
    /// takes rows the others have not locked (`SKIP LOCKED`), and a row goes only after
    /// its object is deleted.
    @discardableResult
    public func collectGarbage(
        grace: Duration = .seconds(60), uploadGrace: Duration = .seconds(600), limit: Int = 1000
    ) async throws -> GarbageCollected {
        let superseded = try await collect(
            table: "rondone_aggregate_garbage", olderThan: grace, limit: limit)
        let orphans = try await collect(table: "rondone_aggregate_upload", olderThan: uploadGrace, limit: limit)
        return GarbageCollected(superseded: superseded, orphans: orphans)
    }

    private func collect(table: String, olderThan grace: Duration, limit: Int) async throws -> Int {
        let microseconds = grace.components.seconds * 1_000_000 + grace.components.attoseconds / 1_000_000_000_000
        let s3 = self.s3
        return try await database.transaction { session in
            let rows = try await session.rows(
                PostgresQuery(
                    unsafeSQL: """
                        SELECT object FROM \(table)
                        WHERE since < clock_timestamp() - make_interval(secs => $1::float8 / 1000000)
                        ORDER BY since LIMIT $2 FOR UPDATE SKIP LOCKED
                        """,
                    binds: try Self.binds(Double(microseconds), Int64(max(1, limit)))))
            let objects = try rows.map { try $0.get("object", as: String.self) }
            guard !objects.isEmpty else { return 0 }
            try await s3.deleteObjects(keys: objects)
            try await session.execute(
                PostgresQuery(
                    unsafeSQL: "DELETE FROM \(table) WHERE object = ANY($1::text[])",
                    binds: try Self.binds(objects)))
            return objects.count
        }
    }

    private static func binds(_ values: any PostgresEncodable...) throws -> PostgresBindings {
        var bindings = PostgresBindings()
        for value in values { try bindings.append(value, context: .default) }
        return bindings
    }
}
