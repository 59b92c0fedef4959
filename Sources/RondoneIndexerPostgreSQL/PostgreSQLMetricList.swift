import PostgresNIO
import RondoneIndexer
import RondoneTimeSeries

/// The SQL of one metric list: Gnocchi's `list_metrics` with oslo.db's
/// `paginate_query` (keyset pagination on the sort keys, marker = last row's id).
///
/// Only column names from ``MetricAttribute`` and ``MetricFilter/Attribute`` and the
/// listed ``MetricStatus`` (fixed identifiers, never request text) are written into the
/// SQL; every other value is bound.
struct PostgreSQLMetricList {
    var statement = PostgreSQLStatement()

    /// Nil when a filter can match nothing (an `id` that is no UUID).
    init?(_ query: MetricQuery, marker: PostgresRandomAccessRow?) throws {
        let sorts = MetricSort.completed(query.sorts)
        // The status is a literal, not a bound value, so that the planner can match it
        // against the partial index on deleted metrics.
        var conditions = ["status = '\(query.status.rawValue)'"]
        for filter in query.filters {
            let value: PostgreSQLValue
            switch filter.attribute {
            case .id, .resourceID:
                guard let id = MetricID(filter.value) else { return nil }
                value = .uuid(PostgreSQLUUID(id))
            default:
                value = .text(filter.value)
            }
            conditions.append("\(filter.attribute.rawValue) = \(statement.bind(value))")
        }
        if let project = query.createdByProjectID {
            // Gnocchi: creator LIKE '%:<project>'. A suffix comparison keeps the intent
            // without LIKE's wildcards (`_`, `%` in a project id).
            let bound = statement.bind(.text(":" + project))
            conditions.append("right(creator, char_length(\(bound))) = \(bound)")
        }
        if let visible = query.visibleTo {
            var any = ["creator = \(statement.bind(.text(visible.creator)))"]
            if let project = visible.project {
                let suffix = statement.bind(.text(":" + project))
                any.append("right(creator, char_length(\(suffix))) = \(suffix)")
                any.append(
                    "resource_id IN (SELECT id FROM resource WHERE project_id = \(statement.bind(.text(project))))"
                )
            }
            conditions.append("(" + any.joined(separator: " OR ") + ")")
        }
        let keys = sorts.map { PostgreSQLKeyset.key($0) }
        if let marker {
            conditions.append(
                try PostgreSQLKeyset.markerCondition(
                    keys, value: { try marker.value($0.rowName) }, &statement))
        }
        statement.sql = """
            SELECT \(PostgreSQLColumns.metricColumns) FROM metric \
            WHERE \(conditions.joined(separator: " AND ")) \
            ORDER BY \(PostgreSQLKeyset.orderBy(keys))
            """
        if let limit = query.limit, limit >= 0 {
            statement.sql += " LIMIT \(statement.bind(.int8(Int64(limit))))"
        }
    }
}
