import PostgresNIO
import RondoneIndexer
import RondoneTimeSeries

extension PostgreSQLTypeTables {
    /// Inserts the current row of a new resource: given attributes, the others null.
    func insert(_ id: ResourceID, _ values: [String: AttributeValue], _ session: PostgreSQLSession)
        async throws
    {
        try await insertRow(into: table, key: ("id", .uuid(PostgreSQLUUID(id))), values, session)
    }

    /// Inserts the history row of `revision` with the values given (`rondone migrate`).
    func insertHistory(_ revision: Int64, _ values: [String: AttributeValue], _ session: PostgreSQLSession)
        async throws
    {
        try await insertRow(into: historyTable, key: ("revision", .int8(revision)), values, session)
    }

    private func insertRow(
        into rowTable: String, key: (column: String, value: PostgreSQLValue),
        _ values: [String: AttributeValue],
        _ session: PostgreSQLSession
    ) async throws {
        var statement = PostgreSQLStatement()
        var names = [key.column]
        var placeholders = [statement.bind(key.value)]
        for column in columns {
            names.append(Self.quote(column.name))
            placeholders.append(statement.bind(PostgreSQLValue(values[column.attribute.name] ?? .null)))
        }
        statement.sql = """
            INSERT INTO \(Self.quote(rowTable)) (\(names.joined(separator: ", "))) \
            VALUES (\(placeholders.joined(separator: ", ")))
            """
        try await session.execute(statement)
    }

    /// Sets the given attributes of the current row.
    func update(_ id: ResourceID, _ values: [String: AttributeValue], _ session: PostgreSQLSession)
        async throws
    {
        var statement = PostgreSQLStatement()
        var assignments: [String] = []
        for column in columns {
            guard let value = values[column.attribute.name] else { continue }
            assignments.append("\(Self.quote(column.name)) = \(statement.bind(PostgreSQLValue(value)))")
        }
        guard !assignments.isEmpty else { return }
        statement.sql = """
            UPDATE \(Self.quote(table)) SET \(assignments.joined(separator: ", ")) \
            WHERE id = \(statement.bind(.uuid(PostgreSQLUUID(id))))
            """
        try await session.execute(statement)
    }

    /// Copies the current row's values into the history row of `revision`.
    func copyToHistory(_ id: ResourceID, revision: Int64, _ session: PostgreSQLSession) async throws {
        let names = columns.map { Self.quote($0.name) }
        var statement = PostgreSQLStatement()
        let selected = ([statement.bind(.int8(revision))] + names).joined(separator: ", ")
        statement.sql = """
            INSERT INTO \(Self.quote(historyTable)) (\((["revision"] + names).joined(separator: ", "))) \
            SELECT \(selected) FROM \(Self.quote(table)) \
            WHERE id = \(statement.bind(.uuid(PostgreSQLUUID(id))))
            """
        try await session.execute(statement)
    }

    /// The attribute values of current rows, by id, in one query for the whole set.
    func values(ids: [ResourceID], _ session: PostgreSQLSession) async throws -> [ResourceID: [String:
        AttributeValue]]
    {
        guard !ids.isEmpty else { return [:] }
        var statement = PostgreSQLStatement()
        let bound = statement.bind(ids.map(PostgreSQLUUID.init))
        statement.sql = "SELECT * FROM \(Self.quote(table)) WHERE id = ANY(\(bound))"
        var result: [ResourceID: [String: AttributeValue]] = [:]
        for row in try await session.rows(statement) {
            result[try row.get("id", as: PostgreSQLUUID.self).resourceID] = try decode(row, names: \.name)
        }
        return result
    }

    /// The attribute values of history rows, by revision, in one query for the whole set.
    func values(revisions: [Int64], _ session: PostgreSQLSession) async throws -> [Int64: [String:
        AttributeValue]]
    {
        guard !revisions.isEmpty else { return [:] }
        var statement = PostgreSQLStatement()
        let bound = statement.bind(revisions)
        statement.sql = "SELECT * FROM \(Self.quote(historyTable)) WHERE revision = ANY(\(bound))"
        var result: [Int64: [String: AttributeValue]] = [:]
        for row in try await session.rows(statement) {
            result[try row.get("revision")] = try decode(row, names: \.name)
        }
        return result
    }

    /// Every attribute's value in `row`, read from the result columns `names` gives.
    func decode(_ row: PostgresRandomAccessRow, names: (Column) -> String) throws -> [String: AttributeValue]
    {
        var values: [String: AttributeValue] = [:]
        for column in columns {
            values[column.attribute.name] = try row.value(names(column)).attributeValue(column.attribute.kind)
        }
        return values
    }
}

extension PostgreSQLTypeTables {
    /// The name of `column` in a resource list's result (`a<position>`: short, and
    /// never clashing with the common columns).
    func alias(_ column: Column) -> String {
        "a\(columns.firstIndex { $0.name == column.name } ?? 0)"
    }

    /// The alias of the attribute named `name`, if the type has one.
    func alias(ofAttribute name: String) -> String? {
        columns.firstIndex { $0.attribute.name == name }.map { "a\($0)" }
    }
}
