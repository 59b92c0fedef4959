/// A parsed PromQL expression (Prometheus's `parser.Expr`). Durations are milliseconds.
public indirect enum PromQLExpression: Equatable, Sendable {
    case number(Double)
    case string(String)
    case vectorSelector(PromQLSelector)
    /// `selector[range]`.
    case matrixSelector(PromQLSelector, range: Int64)
    /// `expression[range:step]` (`step` nil: the evaluation's default).
    case subquery(PromQLExpression, range: Int64, step: Int64?, modifiers: PromQLModifiers)
    case call(PromQLFunction, [PromQLExpression])
    case aggregate(PromQLAggregation)
    case binary(PromQLBinary)
    /// `-expression` (`+expression` parses to the expression itself).
    case negation(PromQLExpression)
    case parenthesized(PromQLExpression)

    /// What the expression evaluates to.
    public var type: PromQLValueType {
        switch self {
        case .number: .scalar
        case .string: .string
        case .vectorSelector: .vector
        case .matrixSelector, .subquery: .matrix
        case .call(let function, _): function.returns
        case .aggregate: .vector
        case .binary(let binary): binary.lhs.type == .scalar && binary.rhs.type == .scalar ? .scalar : .vector
        case .negation(let inner), .parenthesized(let inner): inner.type
        }
    }
}

/// The four kinds of values PromQL has.
public enum PromQLValueType: String, Equatable, Sendable {
    case scalar
    case vector = "instant vector"
    case matrix = "range vector"
    case string
}

/// `offset` and `@` of a selector or subquery.
public struct PromQLModifiers: Equatable, Sendable {
    /// Milliseconds back in time (negative: forward).
    public var offset: Int64 = 0
    public var at: At?

    /// `@ <timestamp>`, `@ start()`, `@ end()`.
    public enum At: Equatable, Sendable {
        case time(milliseconds: Int64)
        case start
        case end
    }

    public init(offset: Int64 = 0, at: At? = nil) {
        self.offset = offset
        self.at = at
    }
}

/// `name{label="value", …}` with its modifiers.
public struct PromQLSelector: Equatable, Sendable {
    /// The metric name, when written before the braces (it is also a `__name__` matcher).
    public var name: String?
    public var matchers: [PromQLMatcher]
    public var modifiers: PromQLModifiers

    public init(name: String?, matchers: [PromQLMatcher], modifiers: PromQLModifiers = PromQLModifiers()) {
        self.name = name
        self.matchers = matchers
        self.modifiers = modifiers
    }
}

/// One label matcher.
public struct PromQLMatcher: Equatable, Sendable {
    public enum Kind: String, Equatable, Sendable {
        case equal = "="
        case notEqual = "!="
        case matches = "=~"
        case doesNotMatch = "!~"
    }

    public var label: String
    public var kind: Kind
    public var value: String

    public init(_ label: String, _ kind: Kind, _ value: String) {
        self.label = label
        self.kind = kind
        self.value = value
    }
}

/// `sum by (job) (…)`, `topk(3, …)`.
public struct PromQLAggregation: Equatable, Sendable {
    public enum Operator: String, Equatable, Sendable, CaseIterable {
        case sum, avg, min, max, count, stddev, stdvar, topk, bottomk, quantile, group
        case countValues = "count_values"

        /// Whether it takes a parameter before the vector.
        var hasParameter: Bool { [.topk, .bottomk, .quantile, .countValues].contains(self) }
    }

    public var op: Operator
    public var expression: PromQLExpression
    public var parameter: PromQLExpression?
    /// Nil: no `by`/`without` (everything in one group).
    public var grouping: Grouping?

    /// `by (labels)` or `without (labels)`.
    public struct Grouping: Equatable, Sendable {
        public var without: Bool
        public var labels: [String]

        public init(without: Bool, labels: [String]) {
            self.without = without
            self.labels = labels
        }
    }

    public init(op: Operator, expression: PromQLExpression, parameter: PromQLExpression?, grouping: Grouping?)
    {
        self.op = op
        self.expression = expression
        self.parameter = parameter
        self.grouping = grouping
    }
}

/// `lhs op rhs` with its modifiers.
public struct PromQLBinary: Equatable, Sendable {
    public enum Operator: String, Equatable, Sendable {
        case add = "+", subtract = "-", multiply = "*", divide = "/", modulo = "%", power = "^", atan2
        case equal = "==", notEqual = "!=", greater = ">", less = "<", greaterOrEqual = ">=", lessOrEqual =
            "<="
        case and, or, unless

        public var isComparison: Bool {
            [.equal, .notEqual, .greater, .less, .greaterOrEqual, .lessOrEqual].contains(self)
        }
        public var isSetOperator: Bool { [.and, .or, .unless].contains(self) }

        /// Whether the result loses the metric name (Prometheus's `shouldDropMetricName`,
        /// or a comparison with `bool`).
        public func dropsName(returnsBool: Bool) -> Bool {
            returnsBool || [.add, .subtract, .multiply, .divide, .modulo, .power].contains(self)
        }

        /// Higher binds tighter (Prometheus's grammar).
        var precedence: Int {
            switch self {
            case .or: 1
            case .and, .unless: 2
            case .equal, .notEqual, .greater, .less, .greaterOrEqual, .lessOrEqual: 3
            case .add, .subtract: 4
            case .multiply, .divide, .modulo, .atan2: 5
            case .power: 6
            }
        }
    }

    public var op: Operator
    public var lhs: PromQLExpression
    public var rhs: PromQLExpression
    /// `bool` on a comparison: 0/1 values instead of a filter.
    public var returnsBool: Bool
    /// How the two vectors' series are paired (nil between scalars, or with one scalar).
    public var matching: Matching?

    /// `on`/`ignoring` and `group_left`/`group_right`.
    public struct Matching: Equatable, Sendable {
        public enum Cardinality: Equatable, Sendable {
            case oneToOne, manyToOne, oneToMany, manyToMany
        }

        public var cardinality: Cardinality
        /// `on (labels)`; false: `ignoring (labels)` (or neither, with no labels).
        public var on: Bool
        public var labels: [String]
        /// The labels `group_left (…)`/`group_right (…)` copy from the "one" side.
        public var include: [String]

        public init(cardinality: Cardinality, on: Bool, labels: [String], include: [String]) {
            self.cardinality = cardinality
            self.on = on
            self.labels = labels
            self.include = include
        }
    }

    public init(
        op: Operator, lhs: PromQLExpression, rhs: PromQLExpression, returnsBool: Bool, matching: Matching?
    ) {
        self.op = op
        self.lhs = lhs
        self.rhs = rhs
        self.returnsBool = returnsBool
        self.matching = matching
    }
}
