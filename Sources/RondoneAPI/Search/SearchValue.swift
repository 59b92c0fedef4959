import RondoneIndexer
import RondoneJSON

/// A search filter as the Python side of Gnocchi holds it between parsing and
/// validation: a JSON body after `json.load`, or the dict the `filter=` string syntax
/// builds. Unlike JSON, a mapping key may be any value (the string syntax puts whatever
/// stands left of an operator there: `1 = a` gives the key `1.0`), and a validated
/// resource id becomes a ``uuid(_:)``.
///
/// Both filter syntaxes produce this one value so that one schema check
/// (``SearchSchema``) gives them the same voluptuous messages, as in Gnocchi.
indirect enum SearchValue: Hashable, Sendable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case list([SearchValue])
    /// Members in the order given; keys are unique.
    case object([Member])
    /// A resource id once converted (Gnocchi's `ResourceUUID`).
    case uuid(ResourceID)

    /// One `key: value` pair of an ``object(_:)``.
    struct Member: Hashable, Sendable {
        var key: SearchValue
        var value: SearchValue
    }

    /// The most nested containers a filter may have. Gnocchi has no limit (Python's
    /// recursion limit answers 500); 64 is far beyond any real filter.
    static let maxDepth = 64
    /// The most values (containers and scalars) a filter may have.
    static let maxNodes = 100_000

    init(_ json: JSONValue) {
        switch json {
        case .null: self = .null
        case .bool(let flag): self = .bool(flag)
        case .int(let number): self = .int(number)
        case .double(let number): self = .double(number)
        case .string(let text): self = .string(text)
        case .array(let items): self = .list(items.map(SearchValue.init))
        case .object(let members):
            self = .object(members.map { Member(key: .string($0.0), value: SearchValue($0.1)) })
        }
    }

    /// Python's `repr()` of the value (voluptuous prints path keys with it).
    var pythonRepr: String {
        switch self {
        case .null: "None"
        case .bool(let flag): flag ? "True" : "False"
        case .int(let number): String(number)
        case .double(let number): PythonRepr.repr(.double(number))
        case .string(let text): PythonRepr.string(text)
        case .list(let items): "[" + items.map(\.pythonRepr).joined(separator: ", ") + "]"
        case .object(let members):
            "{" + members.map { $0.key.pythonRepr + ": " + $0.value.pythonRepr }.joined(separator: ", ") + "}"
        case .uuid(let id): "UUID('\(id)')"
        }
    }

    /// Python's `str()` of the value (`"%s" % value`, and the `detail` of a validation error).
    var pythonString: String {
        switch self {
        case .string(let text): text
        case .uuid(let id): id.description
        default: pythonRepr
        }
    }

    /// Whether the value holds more than ``maxDepth`` nested containers or more than
    /// ``maxNodes`` values; checked before any recursive walk over a filter.
    static func exceedsLimits(_ root: JSONValue) -> Bool {
        var nodes = 0
        var stack: [(JSONValue, Int)] = [(root, 0)]
        while let (value, depth) = stack.popLast() {
            nodes += 1
            if nodes > maxNodes { return true }
            switch value {
            case .array(let items):
                if depth >= maxDepth { return true }
                for item in items { stack.append((item, depth + 1)) }
            case .object(let members):
                if depth >= maxDepth { return true }
                for member in members { stack.append((member.1, depth + 1)) }
            default: break
            }
        }
        return false
    }

    /// The 400 for a filter beyond ``maxDepth`` or ``maxNodes``.
    static var tooLarge: APIError {
        .invalidInput(
            reason: "filter too large: at most \(maxDepth) nested levels and \(maxNodes) values are accepted")
    }
}
