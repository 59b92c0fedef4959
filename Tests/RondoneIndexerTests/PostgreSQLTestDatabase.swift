import Foundation
import PostgresNIO
import RondoneIndexer
import RondoneIndexerPostgreSQL

/// The PostgreSQL server the tests may use: `RONDONE_TEST_POSTGRESQL_URL`
/// (scripts/test.sh starts one with scripts/postgresql-test-server.sh). Each test works
/// in a schema of its own, dropped afterwards, so tests run in parallel on one database.
enum PostgreSQLTestDatabase {
    static let url: PostgreSQLURL? = ProcessInfo.processInfo.environment["RONDONE_TEST_POSTGRESQL_URL"]
        .flatMap { try? PostgreSQLURL(parsing: $0) }

    static var isAvailable: Bool { url != nil }

    /// A new empty schema and the URL that works in it (`search_path`).
    static func makeSchema() async throws -> PostgreSQLURL {
        guard var url else { throw PostgreSQLURLError.invalid("RONDONE_TEST_POSTGRESQL_URL is not set") }
        let schema = "rondone_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        try await admin { session in
            try await session.query(PostgresQuery(unsafeSQL: "CREATE SCHEMA \(schema)"), logger: logger)
                .collect()
        }
        url.options = "-c search_path=\(schema)"
        return url
    }

    /// Drops the schema `url` works in, with everything in it.
    static func dropSchema(of url: PostgreSQLURL) async {
        guard let schema = url.options?.split(separator: "=").last else { return }
        _ = try? await admin { session in
            try await session.query(PostgresQuery(unsafeSQL: "DROP SCHEMA \(schema) CASCADE"), logger: logger)
                .collect()
        }
    }

    /// An indexer on `url`, with a small pool (many run at once).
    static func indexer(_ url: PostgreSQLURL, applicationName: String? = nil) -> PostgreSQLIndexer {
        var url = url
        url.applicationName = applicationName
        return PostgreSQLIndexer(url: url, maximumConnections: 3)
    }

    /// Runs `body` on one connection of its own, outside any test's schema.
    @discardableResult
    static func admin<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        guard let url else { throw PostgreSQLURLError.invalid("RONDONE_TEST_POSTGRESQL_URL is not set") }
        let client = PostgresClient(configuration: url.clientConfiguration)
        let runner = Task { await client.run() }
        defer { runner.cancel() }
        return try await client.withConnection { connection in try await body(connection) }
    }

    static let logger = Logger(label: "rondone.tests.postgresql")
}
