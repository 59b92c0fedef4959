import Logging
import PostgresNIO
package import RondoneIndexerPostgreSQL
import RondoneStorage

/// A pooled connection to the PostgreSQL database a shared store or the coordinator
/// works in, and the few ways they run SQL: every statement with a deadline, every
/// failure turned into a ``StorageError`` that says what was being done and why it
/// failed (never a crash, never a password).
///
/// postgres-nio's pool queues a request while it cannot connect (up to a minute before
/// its circuit breaker opens); the deadline makes a PostgreSQL that is down or
/// restarting an error the caller sees at once, and retries on its own schedule.
package final class PostgreSQLDatabase: Sendable {
    package let url: PostgreSQLURL
    package let logger: Logger
    /// The longest any one operation may take before it fails with `.backend`.
    package let timeout: Duration
    private let client: PostgresClient
    private let runner: Task<Void, Never>

    package init(url: PostgreSQLURL, maximumConnections: Int, timeout: Duration, logger: Logger) {
        var configuration = url.clientConfiguration
        configuration.options.maximumConnections = max(1, maximumConnections)
        configuration.options.connectTimeout = timeout
        self.url = url
        self.logger = logger
        self.timeout = timeout
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.client = client
        runner = Task { await client.run() }
    }

    deinit { runner.cancel() }

    /// Closes every connection; later operations fail.
    package func shutdown() async {
        runner.cancel()
        await runner.value
    }

    /// Runs `body` on one pooled connection, within the deadline. `operation` names
    /// what is being done, for the error message.
    @discardableResult
    package func withConnection<T: Sendable>(
        _ operation: String, timeout: Duration? = nil, _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        let client = self.client
        return try await withDeadline(operation, timeout: timeout ?? self.timeout) {
            try await client.withConnection { connection in try await body(connection) }
        }
    }

    /// Runs `body` in one transaction (`BEGIN` … `COMMIT`, rolled back on any error),
    /// within the deadline. Errors of `body` that are already a ``StorageError``
    /// (a lost lease, a refused claim) pass through unchanged.
    @discardableResult
    package func transaction<T: Sendable>(
        _ operation: String, timeout: Duration? = nil, _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        let logger = self.logger
        return try await withConnection(operation, timeout: timeout) { connection in
            try await connection.query("BEGIN", logger: logger)
            let result: T
            do {
                result = try await body(connection)
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: logger)
                throw error
            }
            try await connection.query("COMMIT", logger: logger)
            return result
        }
    }

    /// `LISTEN`s on `channel` on a connection of its own until the task is cancelled or
    /// the connection fails (then throws): `started` once listening, `received` with
    /// each notification's payload. No deadline: it is meant to last.
    package func listen(
        channel: String, started: @Sendable () -> Void, received: @Sendable (String) -> Void
    ) async throws {
        try await client.withConnection { connection in
            try await connection.listen(on: channel) { notifications in
                started()
                for try await notification in notifications { received(notification.payload) }
            }
        }
    }

    /// `body`, failing with `.backend` after `timeout` (the work is then cancelled), and
    /// with every other error but a ``StorageError`` turned into `.backend`.
    private func withDeadline<T: Sendable>(
        _ operation: String, timeout: Duration, _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let url = self.url
        do {
            return try await withThrowingTaskGroup(of: T?.self) { group in
                group.addTask { try await body() }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let result = first else {
                    throw StorageError.backend(
                        "PostgreSQL \(url.host):\(url.port)/\(url.database): \(operation) did not finish within "
                            + "\(timeout) (is the server up?)")
                }
                return result
            }
        } catch let error as StorageError {
            throw error
        } catch {
            throw StorageError.backend(
                "PostgreSQL \(url.host):\(url.port)/\(url.database): \(operation) failed: "
                    + PostgreSQLFailure.describe(error))
        }
    }
}

/// What a PostgreSQL error says, readable and without secrets (postgres-nio's own
/// description of an error is a generic text, on purpose).
package enum PostgreSQLFailure {
    package static func describe(_ error: any Error) -> String {
        if let error = error as? PSQLError {
            if let info = error.serverInfo {
                let state = info[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
                return (info[.message] ?? "server error") + state
            }
            let underlying = error.underlying.map { ": \(describe($0))" } ?? ""
            return "\(error.code)\(underlying)"
        }
        if error is CancellationError { return "cancelled" }
        return String(describing: error)
    }

    /// SQLSTATE 23505: a unique index refused the row.
    package static func isUniqueViolation(_ error: any Error) -> Bool {
        (error as? PSQLError)?.serverInfo?[.sqlState] == "23505"
    }
}
