public import Logging
public import PostgresNIO

/// One PostgreSQL database as a scale-out driver uses it: postgres-nio's pooled client
/// (bounded, reconnecting) run by a task this value owns, and the few ways a driver
/// runs SQL — a transaction, a snapshot, a single statement — each run again once on a
/// new connection when its connection was lost before anything could have committed
/// (a PostgreSQL restart), never after `COMMIT` was sent.
public final class PostgreSQLDatabase: Sendable {
    public let client: PostgresClient
    public let url: PostgreSQLURL
    public let logger: Logger
    private let runner: Task<Void, Never>

    /// Connects lazily to `url` with at most `maximumConnections` connections.
    public init(url: PostgreSQLURL, maximumConnections: Int = 20, logger: Logger) {
        var configuration = url.clientConfiguration
        configuration.options.maximumConnections = max(1, maximumConnections)
        self.url = url
        self.logger = logger
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.client = client
        runner = Task { await client.run() }
    }

    deinit { runner.cancel() }

    /// Closes every connection and stops the client; later calls fail.
    public func shutdown() async {
        runner.cancel()
        await runner.value
    }

    /// Runs `body` in one read-write transaction (READ COMMITTED).
    public func transaction<T: Sendable>(_ body: (PostgreSQLSession) async throws -> T) async throws -> T {
        try await transaction("BEGIN", body)
    }

    /// Runs `body` on one snapshot (REPEATABLE READ, READ ONLY).
    public func snapshot<T: Sendable>(_ body: (PostgreSQLSession) async throws -> T) async throws -> T {
        try await transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", body)
    }

    /// Runs `body` outside an explicit transaction (each statement commits alone).
    public func single<T: Sendable>(_ body: (PostgreSQLSession) async throws -> T) async throws -> T {
        do {
            return try await client.withConnection { connection in
                try await body(PostgreSQLSession(connection: connection, logger: logger))
            }
        } catch let error where PostgreSQLErrors.isConnectionLost(error) {
            return try await client.withConnection { connection in
                try await body(PostgreSQLSession(connection: connection, logger: logger))
            }
        }
    }

    /// Every row of one statement.
    public func rows(_ query: PostgresQuery) async throws -> [PostgresRandomAccessRow] {
        try await single { try await $0.rows(query) }
    }

    /// Runs one statement, ignoring any rows.
    public func execute(_ query: PostgresQuery) async throws {
        try await single { try await $0.execute(query) }
    }

    private func transaction<T: Sendable>(
        _ begin: PostgresQuery, _ body: (PostgreSQLSession) async throws -> T
    ) async throws -> T {
        var retried = false
        while true {
            // Set once COMMIT is sent: from then on the outcome is unknown and a retry
            // could apply the change twice.
            var committing = false
            do {
                return try await client.withConnection { connection in
                    let session = PostgreSQLSession(connection: connection, logger: logger)
                    try await session.execute(begin)
                    let result: T
                    do {
                        result = try await body(session)
                    } catch {
                        try? await session.execute("ROLLBACK")
                        throw error
                    }
                    committing = true
                    try await session.execute("COMMIT")
                    return result
                }
            } catch let error where !retried && !committing && PostgreSQLErrors.isConnectionLost(error) {
                retried = true
                logger.info("PostgreSQL connection lost; running the transaction again", metadata: ["error": "\(error)"])
            }
        }
    }
}
