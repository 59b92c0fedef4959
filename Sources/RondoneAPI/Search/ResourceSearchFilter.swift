import RondoneIndexer
import RondoneTimeSeries

/// A resource filter that passed ``ResourceSearchSchema``, from a JSON body or the
/// `filter=` string syntax, and its translation into the indexer's ``ResourceFilter``.
///
/// The translation is what Gnocchi's indexer does before building SQL (its
/// `QueryTransformer`), so its refusals are indexer errors Gnocchi raises only when the
/// resources are read: ``compiled()`` is called then, after the other arguments were
/// checked. Operands stay untyped (the indexer converts them to each attribute's type),
/// except `id` operands (already UUIDs), `lifespan` (a timespan, in seconds) and the
/// derived `created_by_user_id` / `created_by_project_id` (patterns on `creator`).
struct ResourceSearchFilter: Sendable {
    /// The validated mapping (never empty: an empty filter is no filter).
    let tree: SearchValue

    /// Gnocchi's `QueryError` text, for a part of a filter that holds no condition.
    static let unparsable = APIError.badRequest("Unable to parse this query")

    /// The filter for the indexer, or Gnocchi's 400 for what its indexer refuses.
    func compiled() throws(APIError) -> ResourceFilter {
        try Self.compile(tree)
    }

    private static func compile(_ node: SearchValue) throws(APIError) -> ResourceFilter {
        guard case .object(let members) = node, let member = members.first, case .string(let op) = member.key
        else { throw unparsable }
        if ResourceSearchSchema.logicalOperators.contains(op) {
            guard case .list(let items) = member.value else { throw unparsable }
            var terms: [ResourceFilter] = []
            for item in items { terms.append(try compile(item)) }
            return op == "and" || op == "∧" ? .and(terms) : .or(terms)
        }
        if op == "not" { return .not(try compile(member.value)) }
        guard case .object(let operands) = member.value, let operand = operands.first,
            case .string(let attribute) = operand.key
        else { throw unparsable }
        return try condition(op, attribute, operand.value)
    }

    private static func condition(_ op: String, _ attribute: String, _ value: SearchValue) throws(APIError)
        -> ResourceFilter
    {
        let comparison = comparisonOperator(op)
        switch attribute {
        case "lifespan":
            // Gnocchi converts with to_timespan and fails with a 500 on what it cannot
            // convert; here that is the indexer's 400 for a bad value.
            guard let comparison, let seconds = timespanSeconds(value) else {
                throw valueError(value, attribute)
            }
            if comparison == .ne {
                // `ended_at - started_at` is null for a running resource, and Gnocchi's
                // `!=` matches null too.
                return .or([.compare(attribute: "ended_at", .eq, .null), .lifespan(.ne, seconds: seconds)])
            }
            return .lifespan(comparison, seconds: seconds)
        case "created_by_user_id", "created_by_project_id":
            // Parts of `creator` (`user:project`), matched with a pattern as Gnocchi does.
            let text = value.pythonString
            let pattern = attribute == "created_by_user_id" ? text + ":%" : "%:" + text
            let like = ResourceFilter.like(attribute: "creator", pattern: pattern, caseInsensitive: false)
            switch comparison {
            case .eq: return like
            case .ne: return .not(like)
            case nil where op == "like": return like
            default: throw valueError(value, attribute)
            }
        default:
            break
        }
        if let comparison { return .compare(attribute: attribute, comparison, attributeValue(value)) }
        if op == "in" {
            guard case .list(let items) = value else { throw valueError(value, attribute) }
            return .in(attribute: attribute, items.map(attributeValue))
        }
        // `like`: SQL's `LIKE NULL` matches nothing.
        if value == .null { return .in(attribute: attribute, []) }
        return .like(attribute: attribute, pattern: value.pythonString, caseInsensitive: false)
    }

    /// The comparison an operator spelling names; nil for `in` and `like`.
    static func comparisonOperator(_ op: String) -> ResourceFilter.ComparisonOperator? {
        switch op {
        case "=", "==", "eq": .eq
        case "!=", "≠", "ne": .ne
        case "<", "lt": .lt
        case "<=", "≤", "le": .le
        case ">", "gt": .gt
        case ">=", "≥", "ge": .ge
        default: nil
        }
    }

    /// An operand as the indexer takes it (numbers as doubles; ids as UUIDs).
    static func attributeValue(_ value: SearchValue) -> AttributeValue {
        switch value {
        case .null: .null
        case .bool(let flag): .bool(flag)
        case .int(let number): .number(Double(number))
        case .double(let number): .number(number)
        case .string(let text): .string(text)
        case .uuid(let id): .uuid(id.description)
        case .list, .object: .string(value.pythonString)
        }
    }

    /// Gnocchi's `to_timespan` of a `lifespan` operand, in seconds (positive).
    static func timespanSeconds(_ value: SearchValue) -> Double? {
        let seconds: Double
        switch value {
        case .string(let text):
            do throws(TimespanError) {
                return try TimeDelta.parseTimespan(text).seconds
            } catch {
                return nil
            }
        case .int(let number): seconds = Double(number)
        case .double(let number): seconds = number
        case .bool(let flag): seconds = flag ? 1 : 0
        default: return nil
        }
        guard seconds.isFinite, seconds * 1e9 >= 1, seconds * 1e9 < 9.2e18 else { return nil }
        return seconds
    }

    private static func valueError(_ value: SearchValue, _ field: String) -> APIError {
        .badRequest(IndexerError.queryValueError(value: value.pythonString, field: field).message)
    }
}
