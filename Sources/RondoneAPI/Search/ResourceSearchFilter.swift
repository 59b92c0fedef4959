import RondoneIndexer

/// A resource filter that passed ``ResourceSearchSchema``, from a JSON body or the
/// `filter=` string syntax, and its translation into the indexer's ``ResourceFilter``.
///
/// The translation is what Gnocchi's indexer does before building SQL (its
/// `QueryTransformer`), so its refusals are indexer errors Gnocchi raises only when the
/// resources are read: ``compiled()`` is called then, after the other arguments were
/// checked. Operands stay untyped (the indexer converts them to each attribute's type,
/// and reads `lifespan`, `created_by_user_id` and `created_by_project_id`), except `id`
/// operands, already UUIDs.
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
        return condition(op, attribute, operand.value)
    }

    private static func condition(_ op: String, _ attribute: String, _ value: SearchValue) -> ResourceFilter {
        if let comparison = comparisonOperator(op) {
            return .compare(attribute: attribute, comparison, attributeValue(value))
        }
        if op == "in", case .list(let items) = value {
            return .in(attribute: attribute, items.map(attributeValue))
        }
        // SQL's `LIKE NULL` is unknown, as an empty `in` is (Gnocchi's `created_by_*`
        // patterns print the operand instead).
        if value == .null, !attribute.hasPrefix("created_by_") { return .in(attribute: attribute, []) }
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
}
