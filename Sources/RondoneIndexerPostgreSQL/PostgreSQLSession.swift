import Logging
import PostgresNIO
import RondoneIndexer

/// One leased connection (inside a transaction, or for one statement) and the logger
/// its statements log to: the few ways the driver runs SQL.
struct PostgreSQLSession: Sendable {
    let connection: PostgresConnection
    let logger: Logger
    private let loop: PostgreSQLConnectionLoop

    init(connection: PostgresConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
        loop = PostgreSQLConnectionLoop(connection)
    }

    /// Every row of the result.
    func rows(_ query: PostgresQuery) async throws -> [PostgresRandomAccessRow] {
        try await loop.rows(query, logger)
    }

    func rows(_ statement: PostgreSQLStatement) async throws -> [PostgresRandomAccessRow] {
        try await rows(statement.query)
    }

    /// Runs a statement, ignoring any rows.
    func execute(_ query: PostgresQuery) async throws {
        _ = try await loop.count(query, logger)
    }

    func execute(_ statement: PostgreSQLStatement) async throws {
        try await execute(statement.query)
    }

    /// How many rows the statement returned (`… RETURNING 1` counts what changed).
    func count(_ query: PostgresQuery) async throws -> Int {
        try await loop.count(query, logger)
    }

    func count(_ statement: PostgreSQLStatement) async throws -> Int {
        try await count(statement.query)
    }

    /// Whether the statement returned any row.
    func exists(_ query: PostgresQuery) async throws -> Bool {
        try await count(query) > 0
    }

    /// The rows of a prepared statement (parsed once per connection, then reused).
    func all<Statement: PostgresPreparedStatement>(_ statement: Statement) async throws -> [Statement.Row]
    where Statement.Row: Sendable {
        try await loop.all(statement, logger)
    }

    /// The first row of a prepared statement, if any.
    func first<Statement: PostgresPreparedStatement>(_ statement: Statement) async throws -> Statement.Row?
    where Statement.Row: Sendable {
        try await all(statement).first
    }
}

/// Sends a connection's statements from the connection's own event loop, after checking
/// there that it is still open.
///
/// postgres-nio writes a statement to its channel without a promise: written after the
/// channel closed (the server ended the session between the pool's lease and the
/// write), the statement is dropped and its caller waits forever. On the event loop,
/// the check and the write happen in one turn, which a close cannot split, so a closed
/// connection fails fast with ``PostgreSQLConnectionClosed`` (and the indexer retries
/// on another connection).
actor PostgreSQLConnectionLoop {
    let connection: PostgresConnection
    nonisolated let unownedExecutor: UnownedSerialExecutor

    init(_ connection: PostgresConnection) {
        self.connection = connection
        unownedExecutor = connection.eventLoop.executor.asUnownedSerialExecutor()
    }

    func rows(_ query: PostgresQuery, _ logger: Logger) async throws -> [PostgresRandomAccessRow] {
        try checkOpen()
        var rows: [PostgresRandomAccessRow] = []
        for try await row in try await connection.query(query, logger: logger) {
            rows.append(PostgresRandomAccessRow(row))
        }
        return rows
    }

    func count(_ query: PostgresQuery, _ logger: Logger) async throws -> Int {
        try checkOpen()
        var count = 0
        for try await _ in try await connection.query(query, logger: logger) { count += 1 }
        return count
    }

    func all<Statement: PostgresPreparedStatement>(_ statement: Statement, _ logger: Logger) async throws
        -> [Statement.Row] where Statement.Row: Sendable
    {
        try checkOpen()
        var rows: [Statement.Row] = []
        for try await row in try await connection.execute(statement, logger: logger) { rows.append(row) }
        return rows
    }

    private func checkOpen() throws {
        if connection.isClosed { throw PostgreSQLConnectionClosed() }
    }
}

/// The pooled connection a statement was about to use had closed.
struct PostgreSQLConnectionClosed: Error {}

extension PostgresRandomAccessRow {
    /// The named column decoded as `T` (an optional `T` reads NULL as nil); a missing
    /// column or another type is a corrupt index, never a crash.
    func get<T: PostgresDecodable>(_ column: String, as type: T.Type = T.self) throws -> T {
        guard contains(column) else { throw IndexerError.corruptIndex("no column \(column) in a result") }
        return try self[column].decode(T.self)
    }

    /// The named column as a dynamically typed value.
    func value(_ column: String) throws -> PostgreSQLValue {
        guard contains(column) else { throw IndexerError.corruptIndex("no column \(column) in a result") }
        return try PostgreSQLValue(self[column])
    }
}

/// What PostgreSQL's errors mean to the driver.
package enum PostgreSQLErrors {
    /// SQLSTATE 23505: a unique index refused the row.
    static let uniqueViolation = "23505"
    /// SQLSTATE 23503: a foreign key refused the row (or the deletion).
    static let foreignKeyViolation = "23503"

    /// The SQLSTATE of a server error, nil for any other error.
    static func sqlState(_ error: any Error) -> String? {
        (error as? PSQLError)?.serverInfo?[.sqlState]
    }

    /// The constraint a server error names.
    static func constraint(_ error: any Error) -> String? {
        (error as? PSQLError)?.serverInfo?[.constraintName]
    }

    /// Whether `error` is a violation of `state` (on `constraint`, when given).
    static func isViolation(_ error: any Error, _ state: String, constraint name: String? = nil) -> Bool {
        sqlState(error) == state && (name == nil || constraint(error) == name)
    }

    /// What went wrong, for logs: the error's code, SQLSTATE and message, never the
    /// statement's values.
    static func summary(_ error: any Error) -> String {
        guard let error = error as? PSQLError else { return "\(type(of: error))" }
        let state = error.serverInfo?[.sqlState].map { " \($0)" } ?? ""
        let message = error.serverInfo?[.message].map { ": \($0)" } ?? ""
        return "\(error.code)\(state)\(message)"
    }

    /// Whether the statement failed because its connection went away (the server
    /// restarted or ended the session), so that running it on a new connection may work.
    package static func isConnectionLost(_ error: any Error) -> Bool {
        if error is PostgreSQLConnectionClosed { return true }
        guard let error = error as? PSQLError else { return false }
        switch error.code {
        // The client closes a connection on a fatal server error (`57P01` when the
        // server shuts down), and reports the closing with the cause underneath.
        case .serverClosedConnection, .clientClosedConnection, .connectionError, .uncleanShutdown: return true
        case .server:
            // 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now,
            // class 08: connection exceptions.
            guard let state = error.serverInfo?[.sqlState] else { return false }
            return ["57P01", "57P02", "57P03"].contains(state) || state.hasPrefix("08")
        default: return false
        }
    }
}
