import PostgresNIO
import RondoneStorage

extension PostgreSQLDatabase {
    /// Runs `body` in a read-only REPEATABLE READ transaction that adopts the exported
    /// snapshot `snapshot` (its own snapshot when nil), within the deadline.
    package func snapshotRead<T: Sendable>(
        _ operation: String, snapshot: String?,
        _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        if let snapshot, !PostgreSQLSnapshotExport.isSnapshotID(snapshot) {
            throw StorageError.backend("\(snapshot) is not a PostgreSQL snapshot identifier")
        }
        let logger = self.logger
        return try await transaction(operation, begin: "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY") {
            connection in
            if let snapshot {
                try await connection.query(
                    PostgresQuery(unsafeSQL: "SET TRANSACTION SNAPSHOT '\(snapshot)'"), logger: logger)
            }
            return try await body(connection)
        }
    }
}
