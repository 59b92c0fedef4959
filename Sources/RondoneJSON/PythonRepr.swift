import RondoneTimeSeries

/// Python's `repr()` of the values Gnocchi's messages embed: voluptuous paths print keys
/// as `data['key']`, and webob prints a dict `detail` as `{'cause': ...}` on HTML pages.
public enum PythonRepr {
    /// `repr(str)` (see ``pythonStringRepr(_:)``).
    public static func string(_ text: String) -> String {
        pythonStringRepr(text)
    }

    /// `repr()` of the Python value a JSON document decodes to.
    public static func repr(_ value: JSONValue) -> String {
        switch value {
        case .null: "None"
        case .bool(let flag): flag ? "True" : "False"
        case .int(let number): String(number)
        case .double(let number):
            number.isNaN
                ? "nan" : number.isInfinite ? (number < 0 ? "-inf" : "inf") : JSONValue.pythonRepr(number)
        case .string(let text): string(text)
        case .array(let items): "[" + items.map(repr).joined(separator: ", ") + "]"
        case .object(let members):
            "{" + members.map { string($0.0) + ": " + repr($0.1) }.joined(separator: ", ") + "}"
        }
    }
}
