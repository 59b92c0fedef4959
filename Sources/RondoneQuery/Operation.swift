import RondoneTimeSeries

/// One `(metric-reference, aggregation)` pair named by a `metric` operation: the metric
/// id (lower-case, hyphenated, as Gnocchi prints `str(metric.id)`) and the aggregation
/// method name as written.
public struct ReferenceKey: Hashable, Sendable {
    public var name: String
    public var aggregation: String

    public init(name: String, aggregation: String) {
        self.name = name
        self.aggregation = aggregation
    }
}

/// A validated operations tree (Gnocchi 4.7's `/v1/aggregates` language). Built only by
/// ``OperationsSchema/validate(_:)``, so every value is one Gnocchi's schema accepts.
public indirect enum Operation: Sendable, Equatable {
    /// The series of one or several references: `(metric ID mean)` or
    /// `(metric (ID1 mean) (ID2 max))`. `single` tells the two spellings apart (they
    /// print differently in messages).
    case metric([ReferenceKey], single: Bool)
    /// A constant operand.
    case number(Double)
    case unary(UnaryOperator, Operation)
    case binary(BinaryOperator, Operation, Operation)
    /// `clip` with a lower and, optionally, an upper bound.
    case clip(Operation, Operation, Operation?)
    /// Across the series, per time stamp (`aggregate`).
    case aggregate(CrossAggregation, Operation)
    /// Each series re-aggregated to a coarser granularity or to calendar periods
    /// (`resample`), with the engine's aggregation of that name (Gnocchi's carbonara
    /// `resample`; Gnocchi's schema takes timespans only, calendar letters are Rondone's).
    case resample(Aggregation, Sampling, Operation)
    /// Each series over a sliding window of points (`rolling`).
    case rolling(CrossAggregation, window: Int, Operation)

    /// The references named anywhere in the tree, first occurrence first, each once
    /// (Gnocchi's `extract_references`).
    public var references: [ReferenceKey] {
        var seen = Set<ReferenceKey>()
        var ordered: [ReferenceKey] = []
        collectReferences(into: &ordered, seen: &seen)
        return ordered
    }

    /// Roughly how Python prints the validated node in Gnocchi's messages
    /// (`['metric', 'ID', 'mean']`); operator names are the canonical ones.
    public var pythonRepr: String {
        func list(_ items: [String]) -> String { "[" + items.joined(separator: ", ") + "]" }
        func quoted(_ text: String) -> String { pythonStringRepr(text) }
        switch self {
        case .metric(let keys, let single):
            if single, let key = keys.first {
                return list([quoted("metric"), quoted(key.name), quoted(key.aggregation)])
            }
            return list([quoted("metric")] + keys.map { list([quoted($0.name), quoted($0.aggregation)]) })
        case .number(let value): return pythonFloatRepr(value)
        case .unary(let op, let operand): return list([quoted(op.name), operand.pythonRepr])
        case .binary(let op, let left, let right):
            return list([quoted(op.name), left.pythonRepr, right.pythonRepr])
        case .clip(let value, let low, let high):
            return list(
                [quoted("clip"), value.pythonRepr, low.pythonRepr] + (high.map { [$0.pythonRepr] } ?? []))
        case .aggregate(let method, let operand):
            return list([quoted("aggregate"), quoted(method.description), operand.pythonRepr])
        case .resample(let method, let sampling, let operand):
            let samplingRepr: String
            switch sampling {
            case .timespan(let length): samplingRepr = "numpy.timedelta64(\(length.nanoseconds),'ns')"
            case .calendar(let grouping): samplingRepr = quoted(grouping.letter)
            }
            return list([quoted("resample"), quoted(method.name), samplingRepr, operand.pythonRepr])
        case .rolling(let method, let window, let operand):
            return list([quoted("rolling"), quoted(method.description), String(window), operand.pythonRepr])
        }
    }

    func collectReferences(into ordered: inout [ReferenceKey], seen: inout Set<ReferenceKey>) {
        switch self {
        case .metric(let keys, _):
            for key in keys where seen.insert(key).inserted { ordered.append(key) }
        case .number: break
        case .unary(_, let operand): operand.collectReferences(into: &ordered, seen: &seen)
        case .binary(_, let left, let right):
            left.collectReferences(into: &ordered, seen: &seen)
            right.collectReferences(into: &ordered, seen: &seen)
        case .clip(let operand, let low, let high):
            operand.collectReferences(into: &ordered, seen: &seen)
            low.collectReferences(into: &ordered, seen: &seen)
            high?.collectReferences(into: &ordered, seen: &seen)
        case .aggregate(_, let operand), .resample(_, _, let operand), .rolling(_, _, let operand):
            operand.collectReferences(into: &ordered, seen: &seen)
        }
    }
}

/// The reductions `aggregate`, `resample` and `rolling` take: numpy's NaN-ignoring
/// `nanmean`, `nanmedian`, `nanstd` and `nanvar` (population, `ddof=0`), `nanmin`,
/// `nanmax`, `nansum`, and the count of non-NaN values; each also as `rate:` (reduce,
/// then differences of consecutive results).
public struct CrossAggregation: Hashable, Sendable, CustomStringConvertible {
    public enum Method: String, Sendable, CaseIterable {
        case mean, median, std, min, max, sum, `var`, count
    }

    public var method: Method
    public var isRate: Bool

    public init(method: Method, isRate: Bool = false) {
        self.method = method
        self.isRate = isRate
    }

    /// Gnocchi's `AGG_MAP` names: `mean` … `count`, and `rate:` of each.
    public init?(name: String) {
        var rest = Substring(name)
        isRate = rest.hasPrefix("rate:")
        if isRate { rest = rest.dropFirst(5) }
        guard let method = Method(rawValue: String(rest)) else { return nil }
        self.method = method
    }

    public var description: String { (isRate ? "rate:" : "") + method.rawValue }

    /// The engine's aggregation of the same name, which `resample` re-aggregates with
    /// (Gnocchi's carbonara has no `var`, so there is none for it).
    var engineAggregation: Aggregation? {
        let base: AggregationMethod
        switch method {
        case .mean: base = .mean
        case .median: base = .median
        case .std: base = .std
        case .min: base = .min
        case .max: base = .max
        case .sum: base = .sum
        case .count: base = .count
        case .var: return nil
        }
        return Aggregation(base, rate: isRate)
    }
}

/// Element-wise operators of one operand (Gnocchi's `unary_operators` and
/// `unary_operators_with_timestamps`).
public enum UnaryOperator: Sendable, Equatable {
    case absolute, negative, cos, sin, tan, floor, ceil
    /// Differences of consecutive points; the first time stamp goes.
    case rateOfChange
    /// Differences divided by the seconds between the points; the first point is NaN.
    case rateOfChangePerSecond

    /// The operator of each name Gnocchi accepts.
    public static let byName: [String: UnaryOperator] = [
        "abs": .absolute, "absolute": .absolute, "neg": .negative, "negative": .negative,
        "cos": .cos, "sin": .sin, "tan": .tan, "floor": .floor, "ceil": .ceil,
        "rateofchange": .rateOfChange, "rateofchangesec": .rateOfChangePerSecond,
    ]

    /// One of the operator's names (for messages).
    public var name: String { shortestName(in: Self.byName, for: self) }
}

/// Element-wise operators of two operands, series or numbers (Gnocchi's
/// `binary_operators`). Comparisons give 1.0 or 0.0, as Gnocchi's JSON encoder turns
/// numpy booleans into floats.
public enum BinaryOperator: Sendable, Equatable {
    case equal, notEqual, less, lessEqual, greater, greaterEqual
    case add, subtract, multiply, divide, modulo, power
    case clipMin, clipMax
    /// numpy's `fmax`: the larger, ignoring a NaN operand.
    case max

    /// The operator of each name Gnocchi accepts.
    public static let byName: [String: BinaryOperator] = [
        "=": .equal, "==": .equal, "eq": .equal,
        "<": .less, "lt": .less, ">": .greater, "gt": .greater,
        "<=": .lessEqual, "≤": .lessEqual, "le": .lessEqual,
        ">=": .greaterEqual, "≥": .greaterEqual, "ge": .greaterEqual,
        "!=": .notEqual, "≠": .notEqual, "ne": .notEqual,
        "%": .modulo, "mod": .modulo, "+": .add, "add": .add, "-": .subtract, "sub": .subtract,
        "*": .multiply, "×": .multiply, "mul": .multiply, "/": .divide, "÷": .divide, "div": .divide,
        "**": .power, "^": .power, "pow": .power,
        "clip_min": .clipMin, "clip_max": .clipMax, "max": .max,
    ]

    /// One of the operator's names (for messages).
    public var name: String { shortestName(in: Self.byName, for: self) }
}

/// The shortest (then first in string order) name of `value`: deterministic, and the
/// symbol where an operator has one (`+`, `<=`).
func shortestName<Value: Equatable>(in names: [String: Value], for value: Value) -> String {
    let candidates = names.filter { $0.value == value }.keys
    return candidates.min { $0.utf8.count != $1.utf8.count ? $0.utf8.count < $1.utf8.count : $0 < $1 } ?? ""
}
