import RondoneIndexer

/// Keyset pagination as oslo.db's `paginate_query` builds it, shared by every list
/// (metrics, resources, resource history): the `ORDER BY` of a sort list and the
/// condition that selects the rows after a marker row.
///
/// Only column names chosen by the caller from a fixed set of identifiers (never
/// request text) are written into the SQL; every value is bound.
enum PostgreSQLKeyset {
    /// One sort key, resolved to its column.
    struct Key {
        /// The column as the SQL names it (quoted when it needs to be).
        var column: String
        /// The column's name in a marker row.
        var rowName: String
        var ascending: Bool
        /// `true`: nulls first; `false`: nulls last; nil: PostgreSQL's default for the
        /// direction (last ascending, first descending), which Gnocchi's reference runs on.
        var nullsFirst: Bool?
    }

    static func key<Attribute>(_ sort: ListSort<Attribute>, column: String? = nil, rowName: String? = nil)
        -> Key
    {
        Key(
            column: column ?? sort.attribute.rawValue, rowName: rowName ?? sort.attribute.rawValue,
            ascending: sort.direction == .ascending, nullsFirst: sort.nulls.map { $0 == .first })
    }

    /// The `ORDER BY` terms (without the keywords).
    static func orderBy(_ keys: [Key]) -> String {
        keys.map { key in
            let nullsFirst = key.nullsFirst ?? !key.ascending
            return "\(key.column) \(key.ascending ? "ASC" : "DESC") NULLS \(nullsFirst ? "FIRST" : "LAST")"
        }.joined(separator: ", ")
    }

    /// oslo.db's criteria, quirks included: for each key i whose marker value is not
    /// null, "all earlier non-null keys equal and key i beyond the marker"; keys whose
    /// marker value is null contribute nothing (so rows with nulls there may be skipped
    /// or repeated, exactly as on Gnocchi). `value(key)` reads the marker row.
    static func markerCondition(
        _ keys: [Key], value: (Key) throws -> PostgreSQLValue, _ statement: inout PostgreSQLStatement
    ) rethrows -> String {
        var alternatives: [String] = []
        for (index, key) in keys.enumerated() {
            let marker = try value(key)
            guard !marker.isNull else { continue }
            var terms: [String] = []
            for earlier in keys[..<index] {
                let earlierValue = try value(earlier)
                guard !earlierValue.isNull else { continue }
                terms.append("\(earlier.column) = \(statement.bind(earlierValue))")
            }
            let column = key.column
            let bound = statement.bind(marker)
            switch (key.ascending, key.nullsFirst) {
            case (false, true?): terms.append("(\(column) < \(bound) OR \(column) IS NULL)")
            case (false, _): terms.append("\(column) < \(bound)")
            case (true, false?): terms.append("(\(column) > \(bound) OR \(column) IS NULL)")
            case (true, _): terms.append("\(column) > \(bound)")
            }
            alternatives.append("(" + terms.joined(separator: " AND ") + ")")
        }
        return alternatives.isEmpty ? "TRUE" : "(" + alternatives.joined(separator: " OR ") + ")"
    }
}
