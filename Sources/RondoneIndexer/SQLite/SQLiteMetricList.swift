import GRDB
import RondoneTimeSeries

/// The SQL of one metric list: Gnocchi's `list_metrics` with oslo.db's
/// `paginate_query` (keyset pagination on the sort keys, marker = last row's id).
///
/// Only column names from ``MetricAttribute`` and ``MetricFilter/Attribute`` (fixed
/// identifiers, never request text) are spliced into the SQL; every value is an argument.
struct SQLiteMetricList {
    var sql = ""
    var arguments: [DatabaseValue] = []

    /// Nil when a filter can match nothing (an `id` that is no UUID).
    init?(_ query: MetricQuery, markerRow: Row?) {
        let sorts = MetricSort.completed(query.sorts)
        var conditions = ["status = ?"]
        arguments.append(query.status.rawValue.databaseValue)
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
        if let markerRow { conditions.append(Self.markerCondition(sorts, markerRow, &arguments)) }

        var order: [String] = []
        for sort in sorts {
            let column = sort.attribute.rawValue
            switch sort.nulls {
            case .first: order.append("(\(column) IS NULL) DESC")
            case .last: order.append("(\(column) IS NOT NULL) DESC")
            case nil: break
            }
            // PostgreSQL's defaults, which Gnocchi's reference runs on.
            order.append(
                sort.direction == .ascending ? "\(column) ASC NULLS LAST" : "\(column) DESC NULLS FIRST")
        }
        sql =
            "SELECT * FROM metric WHERE \(conditions.joined(separator: " AND ")) ORDER BY \(order.joined(separator: ", "))"
        if let limit = query.limit {
            sql += " LIMIT ?"
            arguments.append(limit.databaseValue)
        }
    }

    /// oslo.db's criteria, quirks included: for each key i whose marker value is not
    /// null, "all earlier non-null keys equal and key i beyond the marker"; keys whose
    /// marker value is null contribute nothing (so rows with nulls there may be skipped
    /// or repeated, exactly as on Gnocchi).
    private static func markerCondition(
        _ sorts: [MetricSort], _ marker: Row, _ arguments: inout [DatabaseValue]
    )
        -> String
    {
        var alternatives: [String] = []
        for (index, sort) in sorts.enumerated() {
            let value: DatabaseValue = marker[sort.attribute.rawValue]
            guard !value.isNull else { continue }
            var terms: [String] = []
            for earlier in sorts[..<index] {
                let earlierValue: DatabaseValue = marker[earlier.attribute.rawValue]
                guard !earlierValue.isNull else { continue }
                terms.append("\(earlier.attribute.rawValue) = ?")
                arguments.append(earlierValue)
            }
            let column = sort.attribute.rawValue
            switch (sort.direction, sort.nulls) {
            case (.descending, .first): terms.append("(\(column) < ? OR \(column) IS NULL)")
            case (.descending, _): terms.append("\(column) < ?")
            case (.ascending, .last): terms.append("(\(column) > ? OR \(column) IS NULL)")
            case (.ascending, _): terms.append("\(column) > ?")
            }
            arguments.append(value)
            alternatives.append("(" + terms.joined(separator: " AND ") + ")")
        }
        return alternatives.isEmpty ? "1" : "(" + alternatives.joined(separator: " OR ") + ")"
    }
}
