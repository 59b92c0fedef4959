import RondoneTimeSeries

/// An operations tree as it arrives, before validation: the JSON list form of a request
/// body, or what the prefix-syntax parser (``OperationsText``) makes of a string.
///
/// It keeps just what Gnocchi's schema looks at: lists, strings and numbers. Any other
/// JSON value (object, boolean, null) is kept only by its Python type name, because the
/// only thing Gnocchi ever says about one is `Expected a tuple/list, got a <class 'dict'>`.
public indirect enum OperationNode: Sendable, Equatable {
    case list([OperationNode])
    case string(String)
    /// A JSON number; `isInteger` remembers whether it was written without a fraction
    /// or exponent, which is what Python's `repr` (in messages) and `int()` go by.
    case number(Double, isInteger: Bool)
    /// A JSON boolean (Python's `float(True)` makes it usable as a number operand).
    case boolean(Bool)
    /// A value of another JSON type, by Python's name for it: `dict`, `bool`, `NoneType`.
    case other(typeName: String)

    /// `repr()` of the Python value, as Gnocchi's messages (`'%s' operation invalid`, the
    /// `Can't compute timeseries` reason) print nodes.
    public var pythonRepr: String {
        switch self {
        case .list(let items): "[" + items.map(\.pythonRepr).joined(separator: ", ") + "]"
        case .string(let text): pythonStringRepr(text)
        case .number(let value, let isInteger): Self.numberRepr(value, isInteger: isInteger)
        case .boolean(let flag): flag ? "True" : "False"
        case .other(let typeName):
            switch typeName {
            case "NoneType": "None"
            case "dict": "{...}"
            default: typeName
            }
        }
    }

    /// `str()` of the value: what `%s` prints (strings unquoted, everything else as repr).
    public var pythonStr: String {
        if case .string(let text) = self { return text }
        return pythonRepr
    }

    /// Python's name of the value's type, as `type(v)` prints with `%s`.
    var pythonTypeName: String {
        switch self {
        case .list: "list"
        case .string: "str"
        case .number(_, let isInteger): isInteger ? "int" : "float"
        case .boolean: "bool"
        case .other(let typeName): typeName
        }
    }

    static func numberRepr(_ value: Double, isInteger: Bool) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        if isInteger, value.magnitude < 9.2e18 { return String(Int64(value)) }
        return pythonFloatRepr(value)
    }
}

/// Python's `repr(float)` without Foundation: shortest round-trip digits (which Swift's
/// `description` also gives), `.0` on integral values, exponent form from 1e16 on.
func pythonFloatRepr(_ value: Double) -> String {
    if value.isNaN { return "nan" }
    if value.isInfinite { return value < 0 ? "-inf" : "inf" }
    return value.description
}
