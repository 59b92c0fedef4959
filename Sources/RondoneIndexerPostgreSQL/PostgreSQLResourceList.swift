import PostgresNIO
import RondoneIndexer
import RondoneTimeSeries

/// The SQL of one resource list or search: Gnocchi's `list_resources`, over the current
/// rows, or with `history` over the union of history rows and current rows (the current
/// ones with revision -1 and no `revision_end`), paginated on the sort keys like every
/// list.
///
/// Each branch of the union is `resource` (or `resource_history`) joined with the
/// searched type's table, with the compiled filter inside the branch; the outer query
/// only sorts, applies the marker and limits. A custom attribute appears in the outer
/// query under its alias (``PostgreSQLTypeTables/alias(_:)``).
struct PostgreSQLResourceList {
    var statement = PostgreSQLStatement()

    init(
        _ query: ResourceQuery, type: ResourceType, tables: PostgreSQLTypeTables?, now: Timestamp,
        _ session: PostgreSQLSession
    ) async throws {
        let filter = try query.filter.map { filter throws(IndexerError) in
            try filter.bound(to: type, history: query.history, now: now)
        }
        var keys: [PostgreSQLKeyset.Key] = []
        for sort in ResourceSort.completed(query.sorts, uniqueKeys: query.uniqueKeys) {
            let name = sort.attribute.rawValue
            guard let field = ResourceField.resolve(name, in: type, history: query.history) else {
                throw IndexerError.invalidPagination("Sort key supplied is invalid: \(name)")
            }
            guard let rowName = field.isCustom ? tables?.alias(ofAttribute: name) : name else {
                throw IndexerError.invalidPagination("Sort key supplied is invalid: \(name)")
            }
            keys.append(
                PostgreSQLKeyset.key(
                    sort, column: "s." + PostgreSQLTypeTables.quote(rowName), rowName: rowName))
        }
        let source = Self.source(query.history, tables, filter: filter, &statement)
        var conditions: [String] = []
        if let marker = query.marker {
            guard let row = try await Self.markerRow(marker, history: query.history, tables, session) else {
                throw IndexerError.invalidPagination("Invalid marker: `\(marker)'")
            }
            conditions.append(
                try PostgreSQLKeyset.markerCondition(keys, value: { try row.value($0.rowName) }, &statement))
        }
        var sql = "SELECT * FROM (\(source)) AS s"
        if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
        sql += " ORDER BY " + PostgreSQLKeyset.orderBy(keys)
        if let limit = query.limit, limit >= 0 { sql += " LIMIT \(statement.bind(.int8(Int64(limit))))" }
        statement.sql = sql
    }

    /// The `SELECT`s of the rows searched (history rows first, then current rows), each
    /// with the filter compiled for its own tables.
    static func source(
        _ history: Bool, _ tables: PostgreSQLTypeTables?, filter: BoundResourceFilter?,
        _ statement: inout PostgreSQLStatement
    ) -> String {
        var branches: [String] = []
        if history {
            branches.append(
                branch(
                    common: "resource_history", alias: "h", tables: tables, history: true, filter, &statement)
            )
        }
        branches.append(
            branch(common: "resource", alias: "r", tables: tables, history: false, filter, &statement))
        return branches.joined(separator: " UNION ALL ")
    }

    /// The ids of the current rows of the type matching `filter`, locked for deletion.
    static func currentIDs(
        _ tables: PostgreSQLTypeTables?, filter: BoundResourceFilter?, _ statement: inout PostgreSQLStatement
    ) -> String {
        var sql = "SELECT r.id FROM resource AS r"
        if let tables { sql += " JOIN \(PostgreSQLTypeTables.quote(tables.table)) AS t ON t.id = r.id" }
        if let filter {
            let compiler = PostgreSQLFilterCompiler(common: "r", tables: tables, history: false)
            sql += " WHERE " + compiler.compile(filter, &statement)
        }
        return sql + " FOR UPDATE OF r"
    }

    private static func branch(
        common table: String, alias: String, tables: PostgreSQLTypeTables?, history: Bool,
        _ filter: BoundResourceFilter?, _ statement: inout PostgreSQLStatement
    ) -> String {
        var columns = PostgreSQLColumns.resourceColumns(alias, history: history)
        var from = "\(table) AS \(alias)"
        if let tables {
            for column in tables.columns {
                columns += ", t.\(PostgreSQLTypeTables.quote(column.name)) AS \(tables.alias(column))"
            }
            let joined = history ? tables.historyTable : tables.table
            let key = history ? "revision" : "id"
            from += " JOIN \(PostgreSQLTypeTables.quote(joined)) AS t ON t.\(key) = \(alias).\(key)"
        }
        var sql = "SELECT \(columns) FROM \(from)"
        if let filter {
            let compiler = PostgreSQLFilterCompiler(common: alias, tables: tables, history: history)
            sql += " WHERE " + compiler.compile(filter, &statement)
        }
        return sql
    }

    /// The row a marker names: an id, or `<id>@<revision>` with history (Gnocchi's
    /// format); nil when it names no row.
    private static func markerRow(
        _ marker: String, history: Bool, _ tables: PostgreSQLTypeTables?, _ session: PostgreSQLSession
    ) async throws -> PostgresRandomAccessRow? {
        var statement = PostgreSQLStatement()
        let source = Self.source(history, tables, filter: nil, &statement)
        let id: ResourceID?
        var revision: Int64? = nil
        if history {
            let parts = marker.split(separator: "@", omittingEmptySubsequences: false)
            guard parts.count == 2, let number = Int64(parts[1]) else { return nil }
            id = ResourceID(String(parts[0]))
            revision = number
        } else {
            id = ResourceID(marker)
        }
        guard let id else { return nil }
        statement.sql =
            "SELECT * FROM (\(source)) AS s WHERE s.id = \(statement.bind(.uuid(PostgreSQLUUID(id))))"
        if let revision { statement.sql += " AND s.revision = \(statement.bind(.int8(revision)))" }
        return try await session.rows(statement).first
    }
}
