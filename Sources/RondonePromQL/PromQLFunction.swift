/// A PromQL function's signature: the types of its arguments, how many trailing ones may
/// be left out (or repeated), and what it returns (Prometheus's `parser.Functions`).
public struct PromQLFunction: Equatable, Sendable {
    public var name: String
    public var arguments: [PromQLValueType]
    /// How many of the last arguments may be left out; -1: the last may be left out or
    /// repeat any number of times (`label_join`, Prometheus's `Variadic: -1`).
    public var optional: Int
    public var returns: PromQLValueType

    init(
        _ name: String, _ arguments: [PromQLValueType], optional: Int = 0, returns: PromQLValueType = .vector
    ) {
        self.name = name
        self.arguments = arguments
        self.optional = optional
        self.returns = returns
    }

    /// Every function the parser knows, by name.
    public static let all: [String: PromQLFunction] = {
        var table: [String: PromQLFunction] = [:]
        func add(_ function: PromQLFunction) { table[function.name] = function }
        for name in [
            "abs", "ceil", "floor", "exp", "sqrt", "ln", "log2", "log10", "sgn", "timestamp", "sort",
            "sort_desc",
            "absent", "deg", "rad", "acos", "acosh", "asin", "asinh", "atan", "atanh", "cos", "cosh", "sin",
            "sinh",
            "tan", "tanh",
        ] {
            add(PromQLFunction(name, [.vector]))
        }
        for name in [
            "rate", "irate", "increase", "delta", "idelta", "deriv", "resets", "changes", "avg_over_time",
            "min_over_time", "max_over_time", "sum_over_time", "count_over_time", "last_over_time",
            "stddev_over_time", "stdvar_over_time", "absent_over_time", "present_over_time",
        ] {
            add(PromQLFunction(name, [.matrix]))
        }
        for name in [
            "day_of_month", "day_of_week", "day_of_year", "days_in_month", "hour", "minute", "month", "year",
        ] {
            add(PromQLFunction(name, [.vector], optional: 1))
        }
        add(PromQLFunction("quantile_over_time", [.scalar, .matrix]))
        add(PromQLFunction("predict_linear", [.matrix, .scalar]))
        add(PromQLFunction("clamp", [.vector, .scalar, .scalar]))
        add(PromQLFunction("clamp_min", [.vector, .scalar]))
        add(PromQLFunction("clamp_max", [.vector, .scalar]))
        add(PromQLFunction("round", [.vector, .scalar], optional: 1))
        add(PromQLFunction("histogram_quantile", [.scalar, .vector]))
        add(PromQLFunction("label_replace", [.vector, .string, .string, .string, .string]))
        add(PromQLFunction("label_join", [.vector, .string, .string, .string], optional: -1))
        add(PromQLFunction("scalar", [.vector], returns: .scalar))
        add(PromQLFunction("vector", [.scalar]))
        add(PromQLFunction("time", [], returns: .scalar))
        add(PromQLFunction("pi", [], returns: .scalar))
        return table
    }()
}
