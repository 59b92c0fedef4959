import RondoneTimeSeries

/// Validates an ``OperationNode`` tree into an ``Operation`` as Gnocchi 4.7's voluptuous
/// `OperationsSchema` does, with the messages that schema produces.
///
/// Gnocchi tries each operation shape in turn (`voluptuous.Any`); when none fits, the
/// message it reports is the one of its *first* alternative, the `metric` check. So a
/// bad tree is reported by its outermost node only: `'rolling' operation invalid` even
/// when the fault is a window three levels down. The `metric` node's own argument
/// errors are the exception (voluptuous prints them as `None @ data['operations'][i]`).
///
/// Trees are bounded: at most ``maxNodes`` nodes, nested at most ``maxDepth`` deep.
public enum OperationsSchema {
    public static let maxDepth = 64
    public static let maxNodes = 10_000

    /// Why a tree was refused: the voluptuous message (without Gnocchi's
    /// ` for dictionary value @ data['operations']` suffix, which the API adds) and,
    /// for a `metric` argument, the index voluptuous puts in the error path.
    public struct Invalid: Error, Equatable, Sendable {
        public var message: String
        public var index: Int?

        public init(message: String, index: Int? = nil) {
            self.message = message
            self.index = index
        }
    }

    /// The validated tree of a request's `operations`.
    public static func validate(_ node: OperationNode) throws(Invalid) -> Operation {
        var budget = maxNodes
        if case .list(let items) = node, items.count >= 2, items[0] == .string("metric") {
            return try metric(Array(items.dropFirst()))
        }
        try shapeCheck(node)
        guard let operation = operation(node, depth: 0, budget: &budget) else {
            throw headError(node)
        }
        return operation
    }

    /// `MetricSchema`'s first checks, which give the messages of a non-list, an empty
    /// list and a list without arguments.
    static func shapeCheck(_ node: OperationNode) throws(Invalid) {
        guard case .list(let items) = node else {
            throw Invalid(message: "Expected a tuple/list, got a <class '\(node.pythonTypeName)'>")
        }
        if items.isEmpty { throw Invalid(message: "Operation must not be empty") }
        if items.count < 2 { throw Invalid(message: "Operation need at least one argument") }
    }

    static func headError(_ node: OperationNode) -> Invalid {
        guard case .list(let items) = node, let head = items.first else {
            return Invalid(message: "Expected a tuple/list, got a <class '\(node.pythonTypeName)'>")
        }
        return Invalid(message: "'\(head.pythonStr)' operation invalid")
    }

    /// The arguments of `metric`: one `ID, aggregation` pair, or a list of such pairs.
    static func metric(_ arguments: [OperationNode]) throws(Invalid) -> Operation {
        if arguments.count == 2, case .string(let name) = arguments[0],
            case .string(let method) = arguments[1]
        {
            return .metric([key(name, method)], single: true)
        }
        var keys: [ReferenceKey] = []
        for (index, argument) in arguments.enumerated() {
            guard case .list(let pair) = argument, pair.count == 2, case .string(let name) = pair[0],
                case .string(let method) = pair[1]
            else {
                throw Invalid(message: "None", index: index)
            }
            keys.append(key(name, method))
        }
        return .metric(keys, single: false)
    }

    /// Metric ids are compared as Gnocchi prints them (lower case); a reference that
    /// is not a UUID is kept as written and refused later by the API.
    static func key(_ name: String, _ method: String) -> ReferenceKey {
        let normalized = MetricID(name).map(\.description) ?? name
        return ReferenceKey(name: normalized, aggregation: method)
    }

    /// The operation `node` denotes, or nil when it fits no shape. `allowNumber` is
    /// true for operands (Gnocchi's `OperationsSubNodeSchema` adds `Coerce(float)`).
    static func operation(_ node: OperationNode, depth: Int, budget: inout Int, allowNumber: Bool = false)
        -> Operation?
    {
        budget -= 1
        guard depth < maxDepth, budget >= 0 else { return nil }
        guard case .list(let items) = node else { return allowNumber ? number(node) : nil }
        guard items.count >= 2, case .string(let head) = items[0] else { return nil }
        if head == "metric" { return try? metric(Array(items.dropFirst())) }
        func operand(_ index: Int) -> Operation? {
            operation(items[index], depth: depth + 1, budget: &budget, allowNumber: true)
        }
        switch head {
        case "clip" where items.count == 4 || items.count == 3:
            guard let value = operand(1), let low = operand(2) else { return nil }
            if items.count == 3 { return .clip(value, low, nil) }
            guard let high = operand(3) else { return nil }
            return .clip(value, low, high)
        case "aggregate" where items.count == 3:
            guard let method = aggregation(items[1]), let value = operand(2) else { return nil }
            return .aggregate(method, value)
        case "resample" where items.count == 4:
            // carbonara has no `var`: Gnocchi's schema lets it through and then fails with
            // a 500; it is refused here.
            guard let method = aggregation(items[1])?.engineAggregation, let sampling = sampling(items[2]),
                let value = operand(3)
            else { return nil }
            return .resample(method, sampling, value)
        case "rolling" where items.count == 4:
            guard let method = aggregation(items[1]), let window = window(items[2]), let value = operand(3)
            else { return nil }
            return .rolling(method, window: window, value)
        default:
            if let op = BinaryOperator.byName[head], items.count == 3 {
                guard let left = operand(1), let right = operand(2) else { return nil }
                return .binary(op, left, right)
            }
            if let op = UnaryOperator.byName[head], items.count == 2 {
                return operand(1).map { .unary(op, $0) }
            }
            return nil
        }
    }

    /// `Coerce(float)`: numbers, booleans, and strings Python's `float()` reads.
    static func number(_ node: OperationNode) -> Operation? {
        switch node {
        case .number(let value, _): return .number(value)
        case .boolean(let flag): return .number(flag ? 1 : 0)
        case .string(let text):
            let parsed = Array(text.utf8).withUnsafeBufferPointer { PythonFloatGrammar.parse($0) }
            return parsed.map { .number($0) }
        default: return nil
        }
    }

    static func aggregation(_ node: OperationNode) -> CrossAggregation? {
        guard case .string(let name) = node else { return nil }
        return CrossAggregation(name: name)
    }

    /// Gnocchi's `to_timespan` (a positive number of seconds or a duration string) or,
    /// beyond Gnocchi, a calendar letter (`Y`, `H`, `Q`, `M`, `W`) as the measures
    /// endpoints' `resample` takes it.
    static func sampling(_ node: OperationNode) -> Sampling? {
        switch node {
        case .number(let seconds, _): return (try? TimeDelta(timespanSeconds: seconds)).map(Sampling.timespan)
        case .string(let text): return try? Sampling.parse(text)
        default: return nil
        }
    }

    /// `All(Coerce(int), Range(min=1))`: Python's `int()` truncates a float and reads
    /// only integer text; the limit keeps the window within what a series can hold.
    static func window(_ node: OperationNode) -> Int? {
        let value: Int?
        switch node {
        case .number(let number, _):
            value = number.isFinite && number.magnitude < 1e15 ? Int(number) : nil
        case .boolean(let flag): value = flag ? 1 : 0
        case .string(let text):
            let trimmed = text.trimmingSpaces
            let digits = trimmed.hasPrefix("+") || trimmed.hasPrefix("-") ? trimmed.dropFirst() : trimmed[...]
            value =
                !digits.isEmpty && digits.count < 16 && digits.allSatisfy({ $0.isASCII && $0.isNumber })
                ? Int(trimmed.hasPrefix("+") ? String(digits) : trimmed) : nil
        default: value = nil
        }
        guard let value, value >= 1 else { return nil }
        return value
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\t" || first == "\n" { slice.removeFirst() }
        while let last = slice.last, last == " " || last == "\t" || last == "\n" { slice.removeLast() }
        return String(slice)
    }
}
