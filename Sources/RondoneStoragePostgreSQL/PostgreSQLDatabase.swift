import Logging
import PostgresNIO
package import RondoneIndexerPostgreSQL
import RondoneStorage
import Synchronization

/// A pool of connections to the PostgreSQL database a shared store or the coordinator
/// works in, and the few ways they run SQL: every operation with a deadline, every
/// failure turned into a ``StorageError`` that says what was being done and why it
/// failed (never a crash, never a password).
///
/// postgres-nio's pool queues a request while it cannot connect (up to a minute before
/// its circuit breaker opens): the deadline makes a PostgreSQL that is down or
/// restarting an error the caller sees at once. After a failure that is not an SQL
/// error (a timeout, a refused or broken connection) the pool is replaced by a new one
/// for the next operation (at most once a second): the pool backs off between attempts
/// to connect (100 ms × 1.25ⁿ, up to a minute), so after an outage it may wait long
/// after the server is back, while a new pool connects at once (after 20 s down: 1.9 s
/// against 0.3 s, `aRestartIsSurvived`).
package final class PostgreSQLDatabase: Sendable {
    package let url: PostgreSQLURL
    package let logger: Logger
    /// The longest any one operation may take before it fails with `.backend`.
    package let timeout: Duration
    private let configuration: PostgresClient.Configuration
    private let pool = Mutex<Pool?>(nil)
    private let closed = Atomic<Bool>(false)

    private struct Pool: Sendable {
        let client: PostgresClient
        let runner: Task<Void, Never>
        let made: ContinuousClock.Instant
    }

    package init(url: PostgreSQLURL, maximumConnections: Int, timeout: Duration, logger: Logger) {
        var configuration = url.clientConfiguration
        configuration.options.maximumConnections = max(1, maximumConnections)
        configuration.options.connectTimeout = timeout
        self.configuration = configuration
        self.url = url
        self.logger = logger
        self.timeout = timeout
    }

    deinit { pool.withLock { $0?.runner.cancel() } }

    /// Closes every connection; later operations fail with `.closed`.
    package func shutdown() async {
        closed.store(true, ordering: .relaxed)
        let current = pool.withLock { pool in
            defer { pool = nil }
            return pool
        }
        current?.runner.cancel()
        await current?.runner.value
    }

    /// Runs `body` on one pooled connection, within the deadline. `operation` names
    /// what is being done, for the error message.
    @discardableResult
    package func withConnection<T: Sendable>(
        _ operation: String, timeout: Duration? = nil,
        _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        let client = try currentClient()
        let url = self.url
        let where_ = "PostgreSQL \(url.host):\(url.port)/\(url.database)"
        let outcome: T?
        do {
            outcome = try await Deadline.run(timeout: timeout ?? self.timeout) {
                try await client.withConnection { connection in
                    // Given up on meanwhile: do not run a statement nobody waits for.
                    try Task.checkCancellation()
                    return try await body(connection)
                }
            }
        } catch let error as StorageError {
            throw error
        } catch let error as CancellationError {
            throw error
        } catch {
            if !Self.isSQLError(error) { discard(client) }
            throw StorageError.backend("\(where_): \(operation) failed: " + PostgreSQLFailure.describe(error))
        }
        guard let outcome else {
            discard(client)
            throw StorageError.backend(
                "\(where_): \(operation) did not finish within \(timeout ?? self.timeout) (is the server up?)"
            )
        }
        return outcome
    }

    /// Runs `body` in one transaction (`BEGIN` … `COMMIT`, rolled back on any error),
    /// within the deadline. Errors of `body` that are already a ``StorageError``
    /// (a lost lease, a refused claim) pass through unchanged.
    /// `begin` opens it (`BEGIN` by default; another isolation level, `READ ONLY`).
    @discardableResult
    package func transaction<T: Sendable>(
        _ operation: String, timeout: Duration? = nil, begin: PostgresQuery = "BEGIN",
        _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        let logger = self.logger
        return try await withConnection(operation, timeout: timeout) { connection in
            try await connection.query(begin, logger: logger)
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
    /// each notification's payload. No deadline: it is meant to last; cancelling the
    /// caller returns at once.
    package func listen(
        channel: String, started: @escaping @Sendable () -> Void,
        received: @escaping @Sendable (String) -> Void
    ) async throws {
        let client = try currentClient()
        do {
            _ = try await Deadline.run(timeout: nil) {
                try await client.withConnection { connection in
                    try await connection.listen(on: channel) { notifications in
                        started()
                        for try await notification in notifications { received(notification.payload) }
                    }
                }
            }
        } catch let error as CancellationError {
            throw error
        } catch {
            discard(client)
            throw StorageError.backend("LISTEN \(channel) failed: " + PostgreSQLFailure.describe(error))
        }
    }

    private func currentClient() throws -> PostgresClient {
        guard !closed.load(ordering: .relaxed) else { throw StorageError.closed }
        let (configuration, logger) = (self.configuration, self.logger)
        return pool.withLock { pool in
            if let pool { return pool.client }
            let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
            pool = Pool(client: client, runner: Task { await client.run() }, made: .now)
            return client
        }
    }

    /// Drops `client`'s pool (if it is still the current one and at least a second
    /// old): the next operation makes a new one.
    private func discard(_ client: PostgresClient) {
        let old = pool.withLock { pool -> Pool? in
            guard let current = pool, current.client === client, current.made.duration(to: .now) > .seconds(1)
            else { return nil }
            pool = nil
            return current
        }
        if let old {
            logger.info("Replacing the PostgreSQL connection pool after a connection failure")
            old.runner.cancel()
        }
    }

    /// Whether PostgreSQL itself refused the statement (the connection is fine).
    private static func isSQLError(_ error: any Error) -> Bool {
        (error as? PSQLError)?.code == .server && !isConnectionState(error)
    }

    /// SQLSTATE classes that mean the session is gone (57P0x shutdown, 08 connection).
    private static func isConnectionState(_ error: any Error) -> Bool {
        guard let state = (error as? PSQLError)?.serverInfo?[.sqlState] else { return false }
        return state.hasPrefix("57P") || state.hasPrefix("08")
    }
}

/// Runs work in a task of its own and waits for it, but never longer than a timeout
/// nor past the caller's cancellation: the work is then cancelled and left to end on
/// its own, and the caller goes on at once (a task group would wait for it).
enum Deadline {
    /// `body`'s result, nil after `timeout` (no timeout: nil never).
    static func run<T: Sendable>(timeout: Duration?, _ body: @escaping @Sendable () async throws -> T)
        async throws -> T?
    {
        let race = Race<T>()
        let work = Task {
            do { race.finish(.success(try await body())) } catch { race.finish(.failure(error)) }
        }
        let timer = timeout.map { timeout in
            Task {
                try? await Task.sleep(for: timeout)
                race.finish(.success(nil))
            }
        }
        defer {
            timer?.cancel()
            work.cancel()
        }
        return try await withTaskCancellationHandler {
            try await race.wait()
        } onCancel: {
            race.finish(.failure(CancellationError()))
        }
    }

    /// The first of several outcomes, handed to one waiter.
    private final class Race<T: Sendable>: Sendable {
        private struct State {
            var outcome: Result<T?, any Error>?
            var waiter: CheckedContinuation<T?, any Error>?
        }

        private let state = Mutex(State())

        func finish(_ outcome: Result<T?, any Error>) {
            let waiter = state.withLock { state -> CheckedContinuation<T?, any Error>? in
                guard state.outcome == nil else { return nil }
                state.outcome = outcome
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume(with: outcome)
        }

        func wait() async throws -> T? {
            try await withCheckedThrowingContinuation { continuation in
                let outcome = state.withLock { state -> Result<T?, any Error>? in
                    if state.outcome == nil { state.waiter = continuation }
                    return state.outcome
                }
                if let outcome { continuation.resume(with: outcome) }
            }
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
}
