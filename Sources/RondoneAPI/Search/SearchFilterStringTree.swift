/// The parse tree of a `filter=` string and its conversion into the filter mapping, as
/// Gnocchi's `QueryStringSearchAttrFilter._parsed_query2dict` converts it.
///
/// That conversion reads each group from its end: a comparison operator takes the item
/// before it as the attribute (`a = 1` → `{"=": {"a": 1.0}}`), a logical operator wraps
/// or extends a list (so `a and b and c` lists `c, b, a`), `not` wraps what follows it.
/// Any string token spelled like an operator is taken for one, so `a = eq` or
/// `a = 'like'` do not mean what they say; the result is kept as Gnocchi builds it (the
/// schema then refuses it), and the inputs on which Gnocchi's conversion fails with a
/// Python exception throw ``Unconvertible``.
enum SearchFilterStringTree {
    /// An element of pyparsing's results.
    indirect enum Item: Sendable {
        /// A string (operators too), number, boolean or null.
        case token(SearchValue)
        /// A `[...]` term: its items.
        case list([SearchValue])
        /// A condition, a `not` and its operand, or a chain of one logical operator.
        case group([Item])

        /// The term as a value (lists as lists).
        var value: SearchValue {
            switch self {
            case .token(let value): value
            case .list(let items): .list(items)
            case .group: .null
            }
        }
    }

    /// The conversion would raise in Gnocchi (`AttributeError`, `IndexError`: a 500).
    struct Unconvertible: Error {}

    static let comparisonOperators = Set(SearchFilterScanner.operators)
    static let logicalOperators: Set<String> = ["and", "or", "∧", "∨"]

    /// The filter mapping of the root group.
    static func dictionary(_ root: Item) throws(Unconvertible) -> SearchValue {
        guard case .group(let items) = root else { throw Unconvertible() }
        return try convert(items)
    }

    private static func convert(_ items: [Item]) throws(Unconvertible) -> SearchValue {
        var stack = items
        var result = SearchValue.null
        while let part = stack.popLast() {
            switch part {
            case .token(.string(let name)) where comparisonOperators.contains(name):
                guard let key = stack.popLast(), !isGroup(key) else { throw Unconvertible() }
                result = object(name, .object([.init(key: key.value, value: result)]))
            case .token(.string(let name)) where logicalOperators.contains(name):
                guard case .object(var members) = result else { throw Unconvertible() }
                if let index = members.firstIndex(where: { $0.key == .string(name) }),
                    isTruthy(members[index].value)
                {
                    guard case .list(var list) = members[index].value, let next = stack.popLast(),
                        case .group(let nextItems) = next
                    else { throw Unconvertible() }
                    list.append(try convert(nextItems))
                    members[index].value = .list(list)
                    result = .object(members)
                } else {
                    result = object(name, .list([result]))
                }
            case .token(.string("not")):
                result = object("not", result)
            case .token(let value):
                result = value
            case .list(let values):
                result = try appending(.list(values), to: result)
            case .group(let nested):
                result = try appending(try convert(nested), to: result)
            }
        }
        return result
    }

    /// A group's value placed after what was read so far: it becomes the result, or is
    /// appended to the list of the result's first operator.
    private static func appending(_ value: SearchValue, to result: SearchValue) throws(Unconvertible)
        -> SearchValue
    {
        switch result {
        case .null: return value
        case .object(var members):
            guard !members.isEmpty, case .list(let list) = members[0].value else { throw Unconvertible() }
            members[0].value = .list(list + [value])
            return .object(members)
        default: return result
        }
    }

    private static func object(_ key: String, _ value: SearchValue) -> SearchValue {
        .object([.init(key: .string(key), value: value)])
    }

    private static func isGroup(_ item: Item) -> Bool {
        if case .group = item { true } else { false }
    }

    /// Python's truth value.
    private static func isTruthy(_ value: SearchValue) -> Bool {
        switch value {
        case .null: false
        case .bool(let flag): flag
        case .int(let number): number != 0
        case .double(let number): number != 0
        case .string(let text): !text.isEmpty
        case .list(let items): !items.isEmpty
        case .object(let members): !members.isEmpty
        case .uuid: true
        }
    }
}
