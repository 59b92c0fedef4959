import PostgresNIO
import RondoneStoragePostgreSQL

// A backup's hold on the bucket: while a backup copies the objects its snapshot names,
// none of them may be deleted, though the pointers move on.
extension S3AggregateStore {
    /// The advisory lock a backup holds (exclusively, for its session, with the schema's
    /// `hashtext` as second key) from before its snapshot until it has read every object:
    /// the janitor's garbage collection and ``deleteMetric(_:)`` take it shared for their
    /// transaction, or leave the objects in the garbage table for a later pass when they
    /// cannot (``holdIsFree(_:)``).
    ///
    /// A session lock goes with its connection: a backup that died (its process killed,
    /// its host gone) stops holding when PostgreSQL ends the session, and the garbage is
    /// collected on the next pass.
    public static let backupHoldLock: Int32 = 0x5244_4248

    /// Whether no backup holds the bucket; takes the hold's lock shared until the end of
    /// the caller's transaction, so a backup starting meanwhile waits for that
    /// transaction before its snapshot.
    func holdIsFree(_ connection: PostgresConnection) async throws -> Bool {
        let rows = try await connection.query(
            "SELECT pg_try_advisory_xact_lock_shared(\(Self.backupHoldLock), hashtext(current_schema()))",
            logger: logger)
        for try await free in rows.decode(Bool.self) { return free }
        return false
    }
}
