import Foundation
import Logging
public import PostgresNIO
public import RondoneIndexerPostgreSQL

/// The PostgreSQL server the storage and processing tests may use:
/// `RONDONE_TEST_POSTGRESQL_URL` (scripts/test.sh starts one with
/// scripts/postgresql-test-server.sh). Each test works in a schema of its own, dropped
/// afterwards, so tests run in parallel on one database; without the variable the
/// PostgreSQL tests are skipped.
public enum PostgreSQLTestSchema {
    public static let url: PostgreSQLURL? = ProcessInfo.processInfo.environment["RONDONE_TEST_POSTGRESQL_URL"]
        .flatMap { try? PostgreSQLURL(parsing: $0) }

    public static var isAvailable: Bool { url != nil }

    /// A new empty schema and the URL that works in it (`search_path`).
    public static func make() async throws -> PostgreSQLURL {
        guard var url else { throw PostgreSQLURLError.invalid("RONDONE_TEST_POSTGRESQL_URL is not set") }
        let schema = "rondone_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        _ = try await admin { connection in
            try await connection.query(PostgresQuery(unsafeSQL: "CREATE SCHEMA \(schema)"), logger: logger)
        }
        url.options = "-c search_path=\(schema)"
        return url
    }

    /// Drops the schema `url` works in, with everything in it.
    public static func drop(_ url: PostgreSQLURL) async {
        guard let schema = url.options?.split(separator: "=").last else { return }
        _ = try? await admin { connection in
            try await connection.query(
                PostgresQuery(unsafeSQL: "DROP SCHEMA \(schema) CASCADE"), logger: logger)
        }
    }

    /// Runs `body` on one connection of its own to `url` (the server's database by
    /// default, outside any test's schema).
    public static func admin<T: Sendable>(
        _ url: PostgreSQLURL? = nil, _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        guard let url = url ?? Self.url else {
            throw PostgreSQLURLError.invalid("RONDONE_TEST_POSTGRESQL_URL is not set")
        }
        let client = PostgresClient(configuration: url.clientConfiguration)
        let runner = Task { await client.run() }
        defer { runner.cancel() }
        return try await client.withConnection { connection in try await body(connection) }
    }

    /// A logger that reports only errors (the drivers warn about the test server's
    /// `synchronous_commit = off`, on purpose).
    public static let logger: Logger = {
        var logger = Logger(label: "rondone.tests.postgresql")
        logger.logLevel = .error
        return logger
    }()
}
