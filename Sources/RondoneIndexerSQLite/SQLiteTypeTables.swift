import Foundation
import GRDB
import RondoneIndexer
import RondoneTimeSeries

/// The tables of one custom resource type, Gnocchi-style: `rt_<hex>` (resource id →
/// one column per attribute) and `rt_<hex>_history` (history revision → the values that
/// revision had). Attribute names are arbitrary text (`new-optional-bool`), so every
/// identifier is quoted by ``quote(_:)``; none is ever spliced from request text that did
/// not first match the stored schema.
struct SQLiteTypeTables {
    /// The current table's name; the history table is this plus `_history`.
    var table: String
    var attributes: [ResourceTypeAttribute]

    var historyTable: String { table + "_history" }

    /// A fresh table name: 32 random hex digits, as Gnocchi (`rt_<uuid hex>`), so a type
    /// deleted and created again never meets the old tables.
    static func newTableName() -> String {
        var generator = SystemRandomNumberGenerator()
        let hex = (0..<2).map { _ in
            let value = generator.next() as UInt64
            let text = String(value, radix: 16)
            return String(repeating: "0", count: 16 - text.count) + text
        }
        return "rt_" + hex.joined()
    }

    /// `name` as an SQL identifier (double quotes, inner quotes doubled).
    static func quote(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// The column type of an attribute: TEXT for strings and UUIDs (canonical lower-case
    /// text, which sorts as PostgreSQL's `uuid`), REAL, INTEGER 0/1, INTEGER nanoseconds.
    static func columnType(_ kind: AttributeKind) -> String {
        switch kind {
        case .string, .uuid: "TEXT"
        case .number: "REAL"
        case .bool, .datetime: "INTEGER"
        }
    }

    /// The name of the index on `attribute` in `table` (quoted).
    static func indexName(_ table: String, _ attribute: String) -> String {
        quote("ix_\(table)_\(attribute)")
    }

    // MARK: DDL

    func create(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE \(Self.quote(table)) (
                    id BLOB NOT NULL PRIMARY KEY REFERENCES resource (id) ON DELETE CASCADE
                ) WITHOUT ROWID;
                CREATE TABLE \(Self.quote(historyTable)) (
                    revision INTEGER NOT NULL PRIMARY KEY
                        REFERENCES resource_history (revision) ON DELETE CASCADE
                );
                """)
        for attribute in attributes { try addColumn(attribute, fill: nil, db) }
    }

    /// Adds the column to both tables with its index; existing rows get `fill`.
    func addColumn(_ attribute: ResourceTypeAttribute, fill: AttributeValue?, _ db: Database) throws {
        for name in [table, historyTable] {
            let column = Self.quote(attribute.name)
            try db.execute(
                sql: "ALTER TABLE \(Self.quote(name)) ADD COLUMN \(column) \(Self.columnType(attribute.kind))"
            )
            try db.execute(
                sql: "CREATE INDEX \(Self.indexName(name, attribute.name)) ON \(Self.quote(name)) (\(column))"
            )
            if let fill, !fill.isNull {
                try db.execute(
                    sql: "UPDATE \(Self.quote(name)) SET \(column) = ?",
                    arguments: [Self.databaseValue(fill)])
            }
        }
    }

    /// Gives `fill` to the rows (current and history) where the attribute is null.
    func fillNulls(_ attribute: String, with fill: AttributeValue, _ db: Database) throws {
        for name in [table, historyTable] {
            let column = Self.quote(attribute)
            try db.execute(
                sql: "UPDATE \(Self.quote(name)) SET \(column) = ? WHERE \(column) IS NULL",
                arguments: [Self.databaseValue(fill)])
        }
    }

    /// Drops the attribute's index, then its column, in both tables.
    func dropColumn(_ attribute: String, _ db: Database) throws {
        for name in [table, historyTable] {
            try db.execute(sql: "DROP INDEX IF EXISTS \(Self.indexName(name, attribute))")
            try db.execute(sql: "ALTER TABLE \(Self.quote(name)) DROP COLUMN \(Self.quote(attribute))")
        }
    }

    func drop(_ db: Database) throws {
        try db.execute(sql: "DROP TABLE IF EXISTS \(Self.quote(historyTable))")
        try db.execute(sql: "DROP TABLE IF EXISTS \(Self.quote(table))")
    }

    // MARK: Rows

    /// Inserts the current row of a new resource: given attributes, the others null.
    func insert(_ id: ResourceID, _ values: [String: AttributeValue], _ db: Database) throws {
        try insertRow(into: table, key: ("id", SQLiteColumns.blob(id).databaseValue), values, db)
    }

    /// Inserts the history row of `revision` (an imported one): given attributes, the
    /// others null.
    func insertHistory(_ revision: Int64, _ values: [String: AttributeValue], _ db: Database) throws {
        try insertRow(into: historyTable, key: ("revision", revision.databaseValue), values, db)
    }

    private func insertRow(
        into rowTable: String, key: (column: String, value: DatabaseValue),
        _ values: [String: AttributeValue],
        _ db: Database
    ) throws {
        let columns = [key.column] + attributes.map { Self.quote($0.name) }
        var arguments: [DatabaseValue] = [key.value]
        for attribute in attributes { arguments.append(Self.databaseValue(values[attribute.name] ?? .null)) }
        let placeholders = Array(repeating: "?", count: columns.count).joined(separator: ", ")
        try db.execute(
            sql:
                "INSERT INTO \(Self.quote(rowTable)) (\(columns.joined(separator: ", "))) VALUES (\(placeholders))",
            arguments: StatementArguments(arguments))
    }

    /// Sets the given attributes of the current row.
    func update(_ id: ResourceID, _ values: [String: AttributeValue], _ db: Database) throws {
        let changed = attributes.filter { values[$0.name] != nil }
        guard !changed.isEmpty else { return }
        let assignments = changed.map { "\(Self.quote($0.name)) = ?" }.joined(separator: ", ")
        var arguments = changed.map { Self.databaseValue(values[$0.name]!) }
        arguments.append(SQLiteColumns.blob(id).databaseValue)
        try db.execute(
            sql: "UPDATE \(Self.quote(table)) SET \(assignments) WHERE id = ?",
            arguments: StatementArguments(arguments))
    }

    /// Copies the current row's values into the history row of `revision`.
    func copyToHistory(_ id: ResourceID, revision: Int64, _ db: Database) throws {
        let columns = attributes.map { Self.quote($0.name) }
        let list = (["revision"] + columns).joined(separator: ", ")
        let selected = (["?"] + columns).joined(separator: ", ")
        try db.execute(
            sql:
                "INSERT INTO \(Self.quote(historyTable)) (\(list)) SELECT \(selected) FROM \(Self.quote(table)) WHERE id = ?",
            arguments: [revision, SQLiteColumns.blob(id)])
    }

    /// The attribute values of current rows (by id) or history rows (by revision), one
    /// query for the whole set.
    func values(ids: [ResourceID], _ db: Database) throws -> [ResourceID: [String: AttributeValue]] {
        guard !ids.isEmpty else { return [:] }
        let rows = try Row.fetchAll(
            db, sql: "SELECT * FROM \(Self.quote(table)) WHERE id IN (\(Self.placeholders(ids.count)))",
            arguments: StatementArguments(ids.map(SQLiteColumns.blob)))
        var result: [ResourceID: [String: AttributeValue]] = [:]
        for row in rows { result[try SQLiteColumns.resourceID(row["id"])] = try decode(row, prefix: "") }
        return result
    }

    func values(revisions: [Int64], _ db: Database) throws -> [Int64: [String: AttributeValue]] {
        guard !revisions.isEmpty else { return [:] }
        let rows = try Row.fetchAll(
            db,
            sql:
                "SELECT * FROM \(Self.quote(historyTable)) WHERE revision IN (\(Self.placeholders(revisions.count)))",
            arguments: StatementArguments(revisions))
        var result: [Int64: [String: AttributeValue]] = [:]
        for row in rows { result[row["revision"]] = try decode(row, prefix: "") }
        return result
    }

    /// Every attribute's value in `row`, read from columns named `prefix + name`.
    func decode(_ row: Row, prefix: String) throws(IndexerError) -> [String: AttributeValue] {
        var values: [String: AttributeValue] = [:]
        for attribute in attributes {
            values[attribute.name] = try Self.attributeValue(row[prefix + attribute.name], attribute.kind)
        }
        return values
    }

    static func placeholders(_ count: Int) -> String {
        Array(repeating: "?", count: count).joined(separator: ", ")
    }

    // MARK: Values

    /// A value as its column stores it.
    static func databaseValue(_ value: AttributeValue) -> DatabaseValue {
        switch value {
        case .null: .null
        case .string(let text): text.databaseValue
        case .uuid(let text): text.lowercased().databaseValue
        case .number(let number): number.databaseValue
        case .bool(let flag): (flag ? 1 : 0).databaseValue
        case .datetime(let time): time.roundedToDatetimePrecision.nanoseconds.databaseValue
        }
    }

    static func attributeValue(_ stored: DatabaseValue, _ kind: AttributeKind) throws(IndexerError)
        -> AttributeValue
    {
        switch (stored.storage, kind) {
        case (.null, _): return .null
        case (.string(let text), .string): return .string(text)
        case (.string(let text), .uuid): return .uuid(text)
        case (.double(let number), .number): return .number(number)
        case (.int64(let number), .number): return .number(Double(number))
        case (.int64(let number), .bool): return .bool(number != 0)
        case (.int64(let number), .datetime): return .datetime(Timestamp(nanoseconds: number))
        default: throw .corruptIndex("a \(kind.typeName) attribute holds \(stored)")
        }
    }
}
