/// Python's `repr()` of the values Gnocchi's messages embed: voluptuous paths print keys
/// as `data['key']`, and webob prints a dict `detail` as `{'cause': ...}` on HTML pages.
public enum PythonRepr {
    /// `repr(str)`: single quotes unless the text has a `'` and no `"`; escapes as CPython.
    public static func string(_ text: String) -> String {
        let quote: Character = text.contains("'") && !text.contains("\"") ? "\"" : "'"
        var out = String(quote)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if Character(scalar) == quote {
                    out += "\\\(quote)"
                } else if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += "\\x" + hex(scalar.value, digits: 2)
                } else if scalar.value >= 0x80 && !isPrintable(scalar) {
                    out +=
                        scalar.value <= 0xFF
                        ? "\\x" + hex(scalar.value, digits: 2)
                        : scalar.value <= 0xFFFF
                            ? "\\u" + hex(scalar.value, digits: 4)
                            : "\\U" + hex(scalar.value, digits: 8)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out.append(quote)
        return out
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

    private static func hex(_ value: UInt32, digits: Int) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }

    private static func isPrintable(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned, .lineSeparator, .paragraphSeparator,
            .spaceSeparator:
            return scalar == " "
        default: return true
        }
    }
}
