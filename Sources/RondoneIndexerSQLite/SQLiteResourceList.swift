import GRDB
import RondoneIndexer
import RondoneTimeSeries

/// The SQL of one resource list or search: Gnocchi's `list_resources`, over the current
/// rows, or with `history` over the union of history rows and current rows (the current
/// ones with revision -1 and no `revision_end`), paginated on the sort keys like every
/// list.
///
/// Each branch of the union is `resource` (or `resource_history`) joined with the
/// searched type's table, with the compiled filter inside the branch so that SQLite
/// drives it from an index; the outer query only sorts, applies the marker and limits.
/// A custom attribute appears in the outer query as `attr_<name>`.
struct SQLiteResourceList {
    var sql = ""
    var arguments: [DatabaseValue] = []

    private static let commonColumns = [
        "id", "type", "creator", "original_resource_id", "user_id", "project_id", "started_at", "ended_at",
        "revision_start",
    ]

    /// The outer name of a custom attribute's column.
    static func attributeColumn(_ name: String) -> String { "attr_" + name }

    init(
        _ query: ResourceQuery, type: ResourceType, tables: SQLiteTypeTables?, now: Timestamp, _ db: Database
    )
        throws
    {
        let filter = try query.filter.map { filter throws(IndexerError) in
            try filter.bound(to: type, history: query.history, now: now)
        }
        var keys: [SQLiteKeyset.Key] = []
        var rowNames: [String: String] = [:]
        for sort in ResourceSort.completed(query.sorts, uniqueKeys: query.uniqueKeys) {
            let name = sort.attribute.rawValue
            guard let field = ResourceField.resolve(name, in: type, history: query.history) else {
                throw IndexerError.invalidPagination("Sort key supplied is invalid: \(name)")
            }
            let rowName = field.isCustom ? Self.attributeColumn(name) : name
            let column = SQLiteTypeTables.quote(rowName)
            rowNames[column] = rowName
            keys.append(SQLiteKeyset.key(sort, column: column))
        }
        var source = ""
        Self.source(query.history, tables, filter: filter, into: &source, &arguments)
        var conditions: [String] = []
        if let marker = query.marker {
            var markerSource = ""
            var markerArguments: [DatabaseValue] = []
            Self.source(query.history, tables, filter: nil, into: &markerSource, &markerArguments)
            guard
                let row = try Self.markerRow(
                    marker, history: query.history, source: markerSource, markerArguments, db)
            else {
                throw IndexerError.invalidPagination("Invalid marker: `\(marker)'")
            }
            conditions.append(
                SQLiteKeyset.markerCondition(keys, value: { row[rowNames[$0] ?? $0] }, &arguments))
        }
        sql = "SELECT * FROM (\(source))"
        if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
        sql += " ORDER BY " + SQLiteKeyset.orderBy(keys, unindexed: filter.map(Self.drivesSearch) ?? false)
        if let limit = query.limit {
            sql += " LIMIT ?"
            arguments.append(limit.databaseValue)
        }
    }

    /// The `SELECT`s of the rows searched (history rows first, then current rows), each
    /// with the filter compiled for its own tables.
    static func source(
        _ history: Bool, _ tables: SQLiteTypeTables?, filter: BoundResourceFilter?, into sql: inout String,
        _ arguments: inout [DatabaseValue]
    ) {
        var branches: [String] = []
        if history {
            branches.append(
                branch(
                    common: "resource_history", alias: "h", tables: tables, history: true, filter: filter,
                    &arguments))
        }
        branches.append(
            branch(common: "resource", alias: "r", tables: tables, history: false, filter: filter, &arguments)
        )
        sql = branches.joined(separator: " UNION ALL ")
    }

    /// The rows of `type` matching `filter` in the current table alone (for deletes).
    static func currentIDs(
        _ tables: SQLiteTypeTables?, filter: BoundResourceFilter?, _ arguments: inout [DatabaseValue]
    )
        -> String
    {
        var sql = "SELECT r.id FROM resource AS r"
        if let tables { sql += " JOIN \(SQLiteTypeTables.quote(tables.table)) AS t ON t.id = r.id" }
        if let filter {
            var compiler = SQLiteFilterCompiler(common: "r", attributes: "t", history: false)
            sql += " WHERE " + compiler.compile(filter)
            arguments += compiler.arguments
        }
        return sql
    }

    private static func branch(
        common table: String, alias: String, tables: SQLiteTypeTables?, history: Bool,
        filter: BoundResourceFilter?, _ arguments: inout [DatabaseValue]
    ) -> String {
        var columns = commonColumns.map { "\(alias).\($0)" }
        columns +=
            history
            ? ["\(alias).revision", "\(alias).revision_end"] : ["-1 AS revision", "NULL AS revision_end"]
        var from = "\(table) AS \(alias)"
        if let tables {
            columns += tables.attributes.map {
                "t.\(SQLiteTypeTables.quote($0.name)) AS \(SQLiteTypeTables.quote(attributeColumn($0.name)))"
            }
            let joined = history ? tables.historyTable : tables.table
            let key = history ? "revision" : "id"
            from += " JOIN \(SQLiteTypeTables.quote(joined)) AS t ON t.\(key) = \(alias).\(key)"
        }
        var sql = "SELECT \(columns.joined(separator: ", ")) FROM \(from)"
        if let filter {
            var compiler = SQLiteFilterCompiler(common: alias, attributes: "t", history: history)
            sql += " WHERE " + compiler.compile(filter)
            arguments += compiler.arguments
        }
        return sql
    }

    /// Whether some condition every matching row must meet can be looked up in an index
    /// (a comparison, `in`, a `created_by_*` equality or the policy filter); then the
    /// filter, not the sort order, should drive the search.
    private static func drivesSearch(_ filter: BoundResourceFilter) -> Bool {
        switch filter {
        case .and(let terms): terms.contains(where: drivesSearch)
        case .or(let terms): !terms.isEmpty && terms.allSatisfy(drivesSearch)
        case .compare(_, let op, let value): op != .ne && !value.isNull
        case .in, .visibleTo, .createdBy(_, .equals): true
        case .like(_, let pattern, false): !pattern.isEmpty && !"%_".contains(pattern.first!)
        default: false
        }
    }

    /// The row a marker names: an id, or `<id>@<revision>` with history (Gnocchi's
    /// format); nil when it names no row.
    private static func markerRow(
        _ marker: String, history: Bool, source: String, _ arguments: [DatabaseValue], _ db: Database
    ) throws -> Row? {
        if history {
            let parts = marker.split(separator: "@", omittingEmptySubsequences: false)
            guard parts.count == 2, let id = ResourceID(String(parts[0])), let revision = Int64(parts[1])
            else {
                return nil
            }
            return try Row.fetchOne(
                db, sql: "SELECT * FROM (\(source)) WHERE id = ? AND revision = ?",
                arguments: StatementArguments(
                    arguments + [SQLiteColumns.blob(id).databaseValue, revision.databaseValue]))
        }
        guard let id = ResourceID(marker) else { return nil }
        return try Row.fetchOne(
            db, sql: "SELECT * FROM (\(source)) WHERE id = ?",
            arguments: StatementArguments(arguments + [SQLiteColumns.blob(id).databaseValue]))
    }
}
