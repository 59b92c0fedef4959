import PostgresNIO
import RondoneIndexer
import RondoneTimeSeries

/// The tables of one custom resource type, Gnocchi-style: `rt_<hex>` (resource id →
/// one column per attribute, each with its own index) and `rt_<hex>_history` (history
/// revision → the values that revision had).
///
/// Each attribute lives in the column `resource_type_attribute.column_name` names: its
/// own name when that fits PostgreSQL's 63-byte identifiers, a generated one otherwise
/// (so two long names never meet in one truncated identifier). Every identifier is
/// quoted by ``quote(_:)``; none comes from request text that did not first match the
/// stored schema.
struct PostgreSQLTypeTables: Sendable {
    /// An attribute and the column holding it.
    struct Column: Sendable {
        var attribute: ResourceTypeAttribute
        var name: String
    }

    /// The current table's name; the history table is this plus `_history`.
    var table: String
    var columns: [Column]

    var historyTable: String { table + "_history" }

    /// The column of the attribute named `attribute`.
    func column(of attribute: String) -> String? {
        columns.first { $0.attribute.name == attribute }?.name
    }

    /// A fresh table name: 32 random hex digits, as Gnocchi (`rt_<uuid hex>`), so a type
    /// deleted and created again never meets the old tables.
    static func newTableName() -> String { "rt_" + randomHex(2) }

    /// The column for a new attribute, unused by `existing`.
    static func newColumnName(_ attribute: String, existing: [Column]) -> String {
        if attribute.utf8.count <= 63 && !existing.contains(where: { $0.name == attribute }) {
            return attribute
        }
        return "attr_" + randomHex(1)
    }

    private static func randomHex(_ words: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<words).map { _ in
            let text = String(generator.next() as UInt64, radix: 16)
            return String(repeating: "0", count: 16 - text.count) + text
        }.joined()
    }

    /// `name` as an SQL identifier (double quotes, inner quotes doubled).
    static func quote(_ name: String) -> String {
        var quoted = "\""
        for character in name {
            quoted.append(character)
            if character == "\"" { quoted.append("\"") }
        }
        return quoted + "\""
    }

    /// The column type of an attribute: text for strings and UUIDs (canonical
    /// lower-case text, which sorts as the `uuid` type and takes `like`, as in the
    /// SQLite driver), `double precision`, `boolean`, `bigint` nanoseconds.
    static func columnType(_ kind: AttributeKind) -> String {
        switch kind {
        case .string, .uuid: "text COLLATE \"C\""
        case .number: "double precision"
        case .bool: "boolean"
        case .datetime: "bigint"
        }
    }

    // MARK: DDL

    func create(_ session: PostgreSQLSession) async throws {
        try await session.execute(
            PostgresQuery(
                unsafeSQL: """
                    CREATE TABLE \(Self.quote(table)) (
                        id uuid NOT NULL PRIMARY KEY REFERENCES resource (id) ON DELETE CASCADE)
                    """))
        try await session.execute(
            PostgresQuery(
                unsafeSQL: """
                    CREATE TABLE \(Self.quote(historyTable)) (
                        revision bigint NOT NULL PRIMARY KEY
                            REFERENCES resource_history (revision) ON DELETE CASCADE)
                    """))
        for column in columns { try await addColumn(column, fill: nil, session) }
    }

    /// Adds the column to both tables with its index; existing rows get `fill`.
    func addColumn(_ column: Column, fill: AttributeValue?, _ session: PostgreSQLSession) async throws {
        let name = Self.quote(column.name)
        for table in [table, historyTable] {
            let quoted = Self.quote(table)
            try await session.execute(
                PostgresQuery(
                    unsafeSQL:
                        "ALTER TABLE \(quoted) ADD COLUMN \(name) \(Self.columnType(column.attribute.kind))"))
            if let fill, !fill.isNull {
                var statement = PostgreSQLStatement()
                statement.sql = "UPDATE \(quoted) SET \(name) = \(statement.bind(PostgreSQLValue(fill)))"
                try await session.execute(statement)
            }
            // Unnamed: PostgreSQL picks a free name, and dropping the column drops it.
            try await session.execute(PostgresQuery(unsafeSQL: "CREATE INDEX ON \(quoted) (\(name))"))
        }
    }

    /// Gives `fill` to the rows (current and history) where the attribute is null.
    func fillNulls(_ attribute: String, with fill: AttributeValue, _ session: PostgreSQLSession) async throws
    {
        guard let column = column(of: attribute).map(Self.quote) else { return }
        for table in [table, historyTable] {
            var statement = PostgreSQLStatement()
            let value = statement.bind(PostgreSQLValue(fill))
            statement.sql = "UPDATE \(Self.quote(table)) SET \(column) = \(value) WHERE \(column) IS NULL"
            try await session.execute(statement)
        }
    }

    /// Drops the attribute's column (and with it its index) in both tables.
    func dropColumn(_ attribute: String, _ session: PostgreSQLSession) async throws {
        guard let column = column(of: attribute).map(Self.quote) else { return }
        for table in [table, historyTable] {
            try await session.execute(
                PostgresQuery(unsafeSQL: "ALTER TABLE \(Self.quote(table)) DROP COLUMN \(column)"))
        }
    }

    func drop(_ session: PostgreSQLSession) async throws {
        try await session.execute(
            PostgresQuery(unsafeSQL: "DROP TABLE IF EXISTS \(Self.quote(historyTable))"))
        try await session.execute(PostgresQuery(unsafeSQL: "DROP TABLE IF EXISTS \(Self.quote(table))"))
    }
}
