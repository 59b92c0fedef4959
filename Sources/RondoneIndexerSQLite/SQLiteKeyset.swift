import GRDB
import RondoneIndexer

/// Keyset pagination as oslo.db's `paginate_query` builds it, shared by every list
/// (metrics, resources, resource history): the `ORDER BY` of a sort list and the
/// condition that selects the rows after a marker row.
///
/// Only column names chosen by the caller from a fixed set of identifiers (never
/// request text) are spliced into the SQL; every value is an argument.
enum SQLiteKeyset {
    /// One sort key, resolved to its column.
    struct Key {
        var column: String
        var ascending: Bool
        /// `true`: nulls first; `false`: nulls last; nil: PostgreSQL's default for the
        /// direction (last ascending, first descending), which Gnocchi's reference runs on.
        var nullsFirst: Bool?
    }

    static func key<Attribute>(_ sort: ListSort<Attribute>, column: String? = nil) -> Key {
        Key(
            column: column ?? sort.attribute.rawValue, ascending: sort.direction == .ascending,
            nullsFirst: sort.nulls.map { $0 == .first })
    }

    /// The `ORDER BY` terms (without the keywords). `unindexed` writes each column as
    /// `+column`, which keeps SQLite from walking an index in sort order (and reading
    /// every row to find a few matches) when a filter has an index to drive the search.
    static func orderBy(_ keys: [Key], unindexed: Bool = false) -> String {
        var order: [String] = []
        for var key in keys {
            if unindexed { key.column = "+" + key.column }
            switch key.nullsFirst {
            case true?: order.append("(\(key.column) IS NULL) DESC")
            case false?: order.append("(\(key.column) IS NOT NULL) DESC")
            case nil: break
            }
            order.append(key.ascending ? "\(key.column) ASC NULLS LAST" : "\(key.column) DESC NULLS FIRST")
        }
        return order.joined(separator: ", ")
    }

    /// oslo.db's criteria, quirks included: for each key i whose marker value is not
    /// null, "all earlier non-null keys equal and key i beyond the marker"; keys whose
    /// marker value is null contribute nothing (so rows with nulls there may be skipped
    /// or repeated, exactly as on Gnocchi). `value(column)` reads the marker row.
    static func markerCondition(
        _ keys: [Key], value: (String) -> DatabaseValue, _ arguments: inout [DatabaseValue]
    ) -> String {
        var alternatives: [String] = []
        for (index, key) in keys.enumerated() {
            let marker = value(key.column)
            guard !marker.isNull else { continue }
            var terms: [String] = []
            for earlier in keys[..<index] {
                let earlierValue = value(earlier.column)
                guard !earlierValue.isNull else { continue }
                terms.append("\(earlier.column) = ?")
                arguments.append(earlierValue)
            }
            let column = key.column
            switch (key.ascending, key.nullsFirst) {
            case (false, true?): terms.append("(\(column) < ? OR \(column) IS NULL)")
            case (false, _): terms.append("\(column) < ?")
            case (true, false?): terms.append("(\(column) > ? OR \(column) IS NULL)")
            case (true, _): terms.append("\(column) > ?")
            }
            arguments.append(marker)
            alternatives.append("(" + terms.joined(separator: " AND ") + ")")
        }
        return alternatives.isEmpty ? "1" : "(" + alternatives.joined(separator: " OR ") + ")"
    }
}
