/// A condition on resources: Gnocchi's search filter language as one tree, which every
/// driver compiles (the SQLite driver to SQL; no SQL text exists outside a driver).
///
/// The API builds it from the JSON language or the `filter=` string syntax with
/// untyped operands (``AttributeValue/string``, ``AttributeValue/number``,
/// ``AttributeValue/bool``, ``AttributeValue/null``). The indexer binds it to the
/// searched type (`bound(to:history:now:)`): names are resolved to the common fields
/// or the type's own attributes, and operands converted to the attribute's type, with
/// Gnocchi's 400 messages for unknown attributes and bad values. A driver only sees
/// bound trees.
///
/// Policy and history conditions are nodes as well: ``visibleTo(project:)`` is what a
/// non-admin may see, and comparisons on `revision_start` / `revision_end` select
/// revisions when the query includes history.
public indirect enum ResourceFilter: Hashable, Sendable {
    /// Every condition holds (an empty list always holds).
    case and([ResourceFilter])
    /// Some condition holds (an empty list holds too, as Gnocchi's `or_(true())`).
    case or([ResourceFilter])
    case not(ResourceFilter)
    /// `attribute <op> value`. With `.ne` a null attribute matches too (Gnocchi's
    /// `attr IS NULL OR attr != value`); `.eq` / `.ne` with a null operand test for null.
    case compare(attribute: String, ComparisonOperator, AttributeValue)
    /// `attribute IN (values)`; an empty list matches nothing.
    case `in`(attribute: String, [AttributeValue])
    /// SQL `LIKE` as Gnocchi's PostgreSQL runs it: case-sensitive, `%` and `_`
    /// wildcards, `\` escaping the next character; `caseInsensitive` is `ilike` (which
    /// Gnocchi 4.7's API does not offer). Only text attributes take a pattern.
    case like(attribute: String, pattern: String, caseInsensitive: Bool)
    /// `ended_at - started_at <op> seconds` (Gnocchi's `lifespan`); a resource that has
    /// not ended has no lifespan and never matches.
    case lifespan(ComparisonOperator, seconds: Double)
    /// Rows created by `project` or owned by it: Gnocchi's policy filter for a caller
    /// who may not list every resource (`created_by_project_id = P or project_id = P`).
    case visibleTo(project: String)

    /// The comparison operators of the language, by their canonical spelling.
    public enum ComparisonOperator: String, Hashable, Sendable, CaseIterable {
        case eq = "="
        case ne = "!="
        case lt = "<"
        case le = "<="
        case gt = ">"
        case ge = ">="
    }

    /// Both conditions (flattening nested `and`s; nil is "no condition").
    public static func all(_ filters: ResourceFilter?...) -> ResourceFilter? {
        var terms: [ResourceFilter] = []
        for case let filter? in filters {
            if case .and(let nested) = filter { terms += nested } else { terms.append(filter) }
        }
        switch terms.count {
        case 0: return nil
        case 1: return terms[0]
        default: return .and(terms)
        }
    }
}
