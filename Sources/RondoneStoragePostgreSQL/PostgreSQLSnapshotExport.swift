public import Logging
import PostgresNIO
public import RondoneIndexerPostgreSQL
import RondoneStorage

/// A read-only REPEATABLE READ transaction held open on a connection of its own, whose
/// snapshot (`pg_export_snapshot()`) other connections adopt with `SET TRANSACTION
/// SNAPSHOT`: every read made through ``id`` sees the database as it was at one point,
/// however long the reading takes and whatever commits meanwhile.
///
/// Optionally, a session-level advisory lock is taken on the same connection before the
/// snapshot (a backup's hold, which the aggregate janitor respects); it goes with the
/// connection, so a process that dies while holding it does not block anyone for long
/// (PostgreSQL ends the session).
public final class PostgreSQLSnapshotExport: Sendable {
    /// The snapshot's identifier, for `SET TRANSACTION SNAPSHOT`.
    public let id: String
    /// The database the snapshot is of.
    public let url: PostgreSQLURL
    private let release: AsyncStream<Void>.Continuation
    private let holder: Task<Void, Never>
    private let runner: Task<Void, Never>

    /// Connects to `url`, takes the advisory lock `lock` (both keys; the second is
    /// combined with the schema's name so deployments sharing a database through schemas
    /// do not meet) if given, waiting for it, then opens the transaction and exports its
    /// snapshot.
    ///
    /// - Throws: `StorageError.backend` when PostgreSQL cannot be reached or refuses.
    public static func open(url: PostgreSQLURL, lock: Int32? = nil, logger: Logger) async throws
        -> PostgreSQLSnapshotExport
    {
        var configuration = url.clientConfiguration
        configuration.options.maximumConnections = 1
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        let runner = Task { await client.run() }
        let (exported, exportedContinuation) = AsyncStream<Result<String, any Error>>.makeStream()
        let (released, release) = AsyncStream<Void>.makeStream()
        let holder = Task {
            do {
                try await client.withConnection { connection in
                    if let lock {
                        try await connection.query(
                            "SELECT pg_advisory_lock(\(lock), hashtext(current_schema()))", logger: logger)
                    }
                    try await connection.query(
                        "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", logger: logger)
                    var id = ""
                    for try await value in try await connection.query(
                        "SELECT pg_export_snapshot()", logger: logger
                    ).decode(String.self) {
                        id = value
                    }
                    exportedContinuation.yield(.success(id))
                    // Held until released (the stream finishes) or cancelled. Then the
                    // connection is closed rather than sent COMMIT: ending the session ends
                    // the read-only transaction and the lock, and a statement sent on a
                    // session the server already ended would never be answered (SCALEOUT.md,
                    // "One PostgreSQL client bug worked around").
                    for await _ in released {}
                    try? await connection.close()
                }
            } catch {
                exportedContinuation.yield(.failure(error))
            }
            exportedContinuation.finish()
        }
        var outcome: Result<String, any Error> = .failure(
            StorageError.backend("PostgreSQL \(url.host):\(url.port)/\(url.database): no snapshot exported"))
        for await first in exported {
            outcome = first
            break
        }
        switch outcome {
        case .success(let id) where isSnapshotID(id):
            return PostgreSQLSnapshotExport(
                id: id, url: url, release: release, holder: holder, runner: runner)
        case .success(let id):
            release.finish()
            await holder.value
            runner.cancel()
            throw StorageError.backend("PostgreSQL exported a snapshot named \(id), which is not one")
        case .failure(let error):
            release.finish()
            await holder.value
            runner.cancel()
            throw StorageError.backend(
                "PostgreSQL \(url.host):\(url.port)/\(url.database): exporting a snapshot failed: "
                    + PostgreSQLFailure.describe(error))
        }
    }

    private init(
        id: String, url: PostgreSQLURL, release: AsyncStream<Void>.Continuation, holder: Task<Void, Never>,
        runner: Task<Void, Never>
    ) {
        self.id = id
        self.url = url
        self.release = release
        self.holder = holder
        self.runner = runner
    }

    /// Ends the transaction and the lock with the connection. Never waits more than a
    /// few seconds, whatever state the connection is in.
    public func close() async {
        release.finish()
        let (holder, runner) = (self.holder, self.runner)
        _ = try? await Deadline.run(timeout: .seconds(5)) { await holder.value }
        runner.cancel()
        _ = try? await Deadline.run(timeout: .seconds(5)) { await runner.value }
    }

    /// Whether `text` is a snapshot identifier as PostgreSQL writes them (hexadecimal
    /// numbers and dashes): it is spliced into `SET TRANSACTION SNAPSHOT`, which takes
    /// no parameter.
    package static func isSnapshotID(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count < 64
            && text.utf8.allSatisfy {
                $0 == UInt8(ascii: "-") || ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 70)
            }
    }
}
