import GRDB
import RondoneTimeSeries

/// The SQL of one resource list: Gnocchi's `list_resources`, over the current rows, or
/// with `history` over the union of history rows and current rows (the current ones
/// with revision -1 and no `revision_end`), paginated on the sort keys like every list.
struct SQLiteResourceList {
    var sql = ""
    var arguments: [DatabaseValue] = []

    private static let columns =
        "id, type, creator, original_resource_id, user_id, project_id, started_at, ended_at, revision_start"

    init(_ query: ResourceQuery, _ db: Database) throws {
        let sorts = ResourceSort.completed(query.sorts, uniqueKeys: query.uniqueKeys)
        if !query.history,
            let bad = sorts.first(where: { $0.attribute == .revision || $0.attribute == .revisionEnd })
        {
            // Only history rows have these columns (Gnocchi's resource table has neither).
            throw IndexerError.invalidPagination("Sort key supplied is invalid: \(bad.attribute.rawValue)")
        }
        let source =
            query.history
            ? """
            (SELECT \(Self.columns), revision, revision_end FROM resource_history
             UNION ALL SELECT \(Self.columns), -1 AS revision, NULL AS revision_end FROM resource)
            """
            : "(SELECT \(Self.columns), -1 AS revision, NULL AS revision_end FROM resource)"
        var conditions: [String] = []
        if query.type != "generic" {
            conditions.append("type = ?")
            arguments.append(query.type.databaseValue)
        }
        // Interim (replaced by the filter compiler): the two conditions the routes use.
        var pending =
            query.filter.map { filter -> [ResourceFilter] in
                if case .and(let terms) = filter { return terms } else { return [filter] }
            } ?? []
        while let term = pending.popLast() {
            switch term {
            case .compare("id", .eq, .uuid(let text)):
                conditions.append("id = ?")
                arguments.append(SQLiteColumns.blob(ResourceID(text)!).databaseValue)
            case .visibleTo(let project):
                conditions.append("(substr(creator, -(length(?) + 1)) = ':' || ? OR project_id = ?)")
                arguments += [project.databaseValue, project.databaseValue, project.databaseValue]
            default: throw IndexerError.corruptIndex("BUG: filters are not compiled yet")
            }
        }
        let keys = sorts.map { SQLiteKeyset.key($0) }
        if let marker = query.marker {
            guard let row = try Self.markerRow(marker, history: query.history, source: source, db) else {
                throw IndexerError.invalidPagination("Invalid marker: `\(marker)'")
            }
            conditions.append(SQLiteKeyset.markerCondition(keys, value: { row[$0] }, &arguments))
        }
        sql = "SELECT * FROM \(source)"
        if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
        sql += " ORDER BY " + SQLiteKeyset.orderBy(keys)
        if let limit = query.limit {
            sql += " LIMIT ?"
            arguments.append(limit.databaseValue)
        }
    }

    /// The row a marker names: an id, or `<id>@<revision>` with history (Gnocchi's
    /// format); nil when it names no row.
    private static func markerRow(_ marker: String, history: Bool, source: String, _ db: Database) throws
        -> Row?
    {
        if history {
            let parts = marker.split(separator: "@", omittingEmptySubsequences: false)
            guard parts.count == 2, let id = ResourceID(String(parts[0])), let revision = Int64(parts[1])
            else {
                return nil
            }
            return try Row.fetchOne(
                db, sql: "SELECT * FROM \(source) WHERE id = ? AND revision = ?",
                arguments: [SQLiteColumns.blob(id), revision])
        }
        guard let id = ResourceID(marker) else { return nil }
        return try Row.fetchOne(
            db, sql: "SELECT * FROM \(source) WHERE id = ?", arguments: [SQLiteColumns.blob(id)])
    }
}
