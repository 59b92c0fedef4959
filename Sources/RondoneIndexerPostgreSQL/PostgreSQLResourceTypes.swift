import PostgresNIO
import RondoneIndexer
import RondoneTimeSeries

/// Reading and writing `resource_type` rows and their schema in
/// `resource_type_attribute` (one row per attribute, in the order the type lists them,
/// with the column each lives in).
enum PostgreSQLResourceTypes {
    /// How a read locks the type's row until the transaction ends.
    enum Lock: String {
        case none = ""
        /// Writers of resources: the type's schema cannot change under them.
        case share = "FOR SHARE OF rt"
        /// Schema changes and deletion.
        case update = "FOR UPDATE OF rt"
    }

    typealias Loaded = (type: ResourceType, tables: PostgreSQLTypeTables?)

    private static let select = """
        SELECT rt.name, rt.state, rt.tablename, a.name AS attribute, a.column_name, a.type AS kind,
            a.required,
            a.min_length, a.max_length, a.min, a.max
        FROM resource_type AS rt
        LEFT JOIN resource_type_attribute AS a ON a.resource_type_name = rt.name
        """

    /// The named type and its tables (nil for `generic`).
    static func load(_ name: String, _ session: PostgreSQLSession, lock: Lock = .none) async throws -> Loaded?
    {
        var statement = PostgreSQLStatement()
        statement.sql =
            "\(select) WHERE rt.name = \(statement.bind(.text(name))) ORDER BY a.position \(lock.rawValue)"
        return try assemble(try await session.rows(statement)).first
    }

    /// Every type, by name (byte-wise).
    static func all(_ session: PostgreSQLSession) async throws -> [Loaded] {
        try assemble(
            try await session.rows(PostgresQuery(unsafeSQL: "\(select) ORDER BY rt.name, a.position")))
    }

    /// Rows sorted by type then position, grouped into types.
    private static func assemble(_ rows: [PostgresRandomAccessRow]) throws -> [Loaded] {
        var result: [Loaded] = []
        var current: (name: String, state: String, table: String?, columns: [PostgreSQLTypeTables.Column])?
        func flush() {
            guard let type = current else { return }
            let attributes = type.columns.map(\.attribute)
            result.append(
                (
                    ResourceType(name: type.name, state: type.state, attributes: attributes),
                    type.table.map { PostgreSQLTypeTables(table: $0, columns: type.columns) }
                ))
        }
        for row in rows {
            let name: String = try row.get("name")
            if current?.name != name {
                flush()
                current = (name, try row.get("state"), try row.get("tablename"), [])
            }
            guard let attribute: String = try row.get("attribute") else { continue }
            current?.columns.append(
                PostgreSQLTypeTables.Column(
                    attribute: ResourceTypeAttribute(
                        name: attribute, kind: try kind(row, type: name), required: try row.get("required")),
                    name: try row.get("column_name")))
        }
        flush()
        return result
    }

    private static func kind(_ row: PostgresRandomAccessRow, type: String) throws -> AttributeKind {
        let kind: String = try row.get("kind")
        switch kind {
        case "string":
            let minLength: Int? = try row.get("min_length")
            let maxLength: Int? = try row.get("max_length")
            return .string(minLength: minLength ?? 0, maxLength: maxLength ?? 255)
        case "uuid": return .uuid
        case "number": return .number(min: try row.get("min"), max: try row.get("max"))
        case "bool": return .bool
        case "datetime": return .datetime
        default: throw IndexerError.corruptIndex("resource type \(type): attribute type \(kind)")
        }
    }

    /// Writes the type's schema, replacing the one it had.
    static func writeSchema(
        _ type: String, _ columns: [PostgreSQLTypeTables.Column], _ session: PostgreSQLSession
    )
        async throws
    {
        try await session.execute("DELETE FROM resource_type_attribute WHERE resource_type_name = \(type)")
        for (position, column) in columns.enumerated() {
            let attribute = column.attribute
            var minLength: Int64? = nil
            var maxLength: Int64? = nil
            var min: Double? = nil
            var max: Double? = nil
            switch attribute.kind {
            case .string(let low, let high): (minLength, maxLength) = (Int64(low), Int64(high))
            case .number(let low, let high): (min, max) = (low, high)
            case .uuid, .bool, .datetime: break
            }
            try await session.execute(
                """
                INSERT INTO resource_type_attribute (resource_type_name, position, name, column_name, type,
                    required,
                    min_length, max_length, min, max)
                VALUES (\(type), \(position), \(attribute.name), \(column.name), \(attribute.kind.typeName),
                    \(attribute.required), \(minLength)::integer, \(maxLength)::integer, \(min), \(max))
                """)
        }
    }
}
