import GRDB
import RondoneIndexer
import RondoneTimeSeries

/// The SQL of one metric list: Gnocchi's `list_metrics` with oslo.db's
/// `paginate_query` (keyset pagination on the sort keys, marker = last row's id).
///
/// Only column names from ``MetricAttribute`` and ``MetricFilter/Attribute`` and the
/// listed ``MetricStatus`` (fixed identifiers, never request text) are spliced into the
/// SQL; every other value is an argument.
struct SQLiteMetricList {
    var sql = ""
    var arguments: [DatabaseValue] = []

    /// Nil when a filter can match nothing (an `id` that is no UUID).
    init?(_ query: MetricQuery, markerRow: Row?) {
        let sorts = MetricSort.completed(query.sorts)
        // The status is a literal, not an argument: `ix_metric_status_id` holds only
        // `status = 'delete'`, and SQLite can only match a bound value against that
        // partial index by preparing the statement again once the value is bound.
        var conditions = ["status = '\(query.status.rawValue)'"]
        for filter in query.filters {
            conditions.append("\(filter.attribute.rawValue) = ?")
            switch filter.attribute {
            case .id, .resourceID:
                guard let id = MetricID(filter.value) else { return nil }
                arguments.append(SQLiteColumns.blob(id).databaseValue)
            default:
                arguments.append(filter.value.databaseValue)
            }
        }
        if let project = query.createdByProjectID {
            // Gnocchi: creator LIKE '%:<project>'. A suffix comparison keeps the intent
            // without LIKE's wildcards (`_`, `%` in a project id) or SQLite's ASCII case folding.
            conditions.append("substr(creator, -(length(?) + 1)) = ':' || ?")
            arguments += [project.databaseValue, project.databaseValue]
        }
        if let visible = query.visibleTo {
            var any = ["creator = ?"]
            arguments.append(visible.creator.databaseValue)
            if let project = visible.project {
                any.append("substr(creator, -(length(?) + 1)) = ':' || ?")
                any.append("resource_id IN (SELECT id FROM resource WHERE project_id = ?)")
                arguments += [project.databaseValue, project.databaseValue, project.databaseValue]
            }
            conditions.append("(" + any.joined(separator: " OR ") + ")")
        }
        let keys = sorts.map { SQLiteKeyset.key($0) }
        if let markerRow {
            conditions.append(
                SQLiteKeyset.markerCondition(keys, value: { markerRow[$0] }, &arguments))
        }
        let order = SQLiteKeyset.orderBy(keys)
        sql =
            "SELECT * FROM metric WHERE \(conditions.joined(separator: " AND ")) ORDER BY \(order)"
        if let limit = query.limit {
            sql += " LIMIT ?"
            arguments.append(limit.databaseValue)
        }
    }
}
