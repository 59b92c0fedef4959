#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The value condition of `POST /v1/search/metric` (Gnocchi's `MetricSearchSchema` and
/// `MeasureQuery`), checked against each aggregated value.
///
/// `{"≥": 10}` compares the value with a number; an arithmetic operator applies to the
/// value (`{"%": 2}` is truthy when the value is odd); a list of two operands applies
/// the operator to both (`{">": [{"*": 2}, 10]}` is `value * 2 > 10`, a number in it a
/// constant); `and` / `∧` / `or` / `∨` combine conditions (`not` passes the schema but
/// is an unknown operator, as in Gnocchi). Arithmetic follows numpy on floats: division
/// by zero gives an infinity or NaN, and NaN is true.
indirect enum MeasurePredicate: Sendable {
    /// The value tested.
    case value
    case constant(Double)
    case binary(Operator, MeasurePredicate, MeasurePredicate)
    case all([MeasurePredicate])
    case any([MeasurePredicate])

    /// The binary operators by their Gnocchi spellings.
    enum Operator: Sendable {
        case eq, ne, lt, le, gt, ge, mod, add, sub, mul, div, pow

        static let spellings: [String: Operator] = [
            "=": .eq, "==": .eq, "eq": .eq, "<": .lt, "lt": .lt, ">": .gt, "gt": .gt, "<=": .le, "≤": .le,
            "le": .le, ">=": .ge, "≥": .ge, "ge": .ge, "!=": .ne, "≠": .ne, "ne": .ne, "%": .mod, "mod": .mod,
            "+": .add, "add": .add, "-": .sub, "sub": .sub, "*": .mul, "×": .mul, "mul": .mul, "/": .div,
            "÷": .div, "div": .div, "**": .pow, "^": .pow, "pow": .pow,
        ]
    }

    static let logicalOperators = ["and", "∨", "or", "∧"]

    /// Gnocchi's `MetricSearchOperationSchema`: one operator with a number or two operands.
    static let operationSchema: SearchSchema = .all([
        .length(min: 1, max: 1),
        .mapping([
            (
                .any(Operator.spellings.keys.sorted().map { .literal(.string($0)) }),
                .any([
                    .type(.float), .type(.int),
                    .all([
                        .sequence([.type(.float), .type(.int), .lazy { operationSchema }]),
                        .length(min: 2, max: 2),
                    ]),
                ])
            )
        ]),
    ])

    /// Gnocchi's `MetricSearchSchema`: an operation, or a logical operator over a list.
    static let schema: SearchSchema = .any([
        operationSchema,
        .all([
            .length(min: 1, max: 1),
            .mapping([
                (
                    .any((logicalOperators + ["not"]).map { .literal(.string($0)) }),
                    .sequence([.lazy { schema }])
                )
            ]),
        ]),
    ])

    /// Why a validated query cannot be evaluated (Gnocchi's `InvalidQuery`).
    struct InvalidQuery: Error {
        var message: String
    }

    /// The predicate of a query that passed ``schema``.
    static func build(_ tree: SearchValue) throws(InvalidQuery) -> MeasurePredicate {
        switch tree {
        case .int(let number): return .constant(Double(number))
        case .double(let number): return .constant(number)
        case .bool(let flag): return .constant(flag ? 1 : 0)
        case .object(let members) where !members.isEmpty:
            guard case .string(let name) = members[0].key else {
                throw InvalidQuery(message: "Unknown operator")
            }
            let nodes = members[0].value
            if logicalOperators.contains(name) {
                guard case .list(let items) = nodes else { return .constant(1) }
                var terms: [MeasurePredicate] = []
                for item in items { terms.append(try build(item)) }
                return name == "and" || name == "∧" ? .all(terms) : .any(terms)
            }
            guard let op = Operator.spellings[name] else {
                throw InvalidQuery(message: "Unknown operator \(name)")
            }
            guard case .list(let operands) = nodes else { return .binary(op, .value, try build(nodes)) }
            guard operands.count == 2 else {
                throw InvalidQuery(
                    message: "Binary operator \(name) needs 2 arguments, \(operands.count) given")
            }
            return .binary(op, try build(operands[0]), try build(operands[1]))
        default:
            return .constant(0)
        }
    }

    /// Whether `value` satisfies the predicate (Python's truth of the result).
    func matches(_ value: Double) -> Bool {
        let result = evaluate(value)
        return result != 0 || result.isNaN
    }

    private func evaluate(_ value: Double) -> Double {
        switch self {
        case .value: return value
        case .constant(let number): return number
        case .all(let terms): return terms.allSatisfy { $0.matches(value) } ? 1 : 0
        case .any(let terms): return terms.contains { $0.matches(value) } ? 1 : 0
        case .binary(let op, let left, let right):
            let a = left.evaluate(value)
            let b = right.evaluate(value)
            switch op {
            case .eq: return a == b ? 1 : 0
            case .ne: return a != b ? 1 : 0
            case .lt: return a < b ? 1 : 0
            case .le: return a <= b ? 1 : 0
            case .gt: return a > b ? 1 : 0
            case .ge: return a >= b ? 1 : 0
            case .add: return a + b
            case .sub: return a - b
            case .mul: return a * b
            case .div: return a / b
            case .pow: return Self.power(a, b)
            case .mod:
                // numpy's remainder: the sign of the divisor.
                let remainder = a.truncatingRemainder(dividingBy: b)
                return remainder != 0 && (remainder < 0) != (b < 0) ? remainder + b : remainder
            }
        }
    }

    private static func power(_ base: Double, _ exponent: Double) -> Double { pow(base, exponent) }
}
