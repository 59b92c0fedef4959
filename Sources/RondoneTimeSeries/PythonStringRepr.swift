/// `repr(str)` as CPython prints it: single quotes unless the text has a `'` and no `"`,
/// control and non-printable characters escaped. Gnocchi's messages embed such reprs
/// (voluptuous paths, Python sets of names), so Rondone's must spell them the same.
public func pythonStringRepr(_ text: String) -> String {
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
                out += "\\x" + pythonHex(scalar.value, digits: 2)
            } else if scalar.value >= 0x80 && !pythonIsPrintable(scalar) {
                out +=
                    scalar.value <= 0xFF
                    ? "\\x" + pythonHex(scalar.value, digits: 2)
                    : scalar.value <= 0xFFFF
                        ? "\\u" + pythonHex(scalar.value, digits: 4)
                        : "\\U" + pythonHex(scalar.value, digits: 8)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    out.append(quote)
    return out
}

private func pythonHex(_ value: UInt32, digits: Int) -> String {
    let text = String(value, radix: 16)
    return String(repeating: "0", count: max(0, digits - text.count)) + text
}

private func pythonIsPrintable(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.properties.generalCategory {
    case .control, .format, .surrogate, .privateUse, .unassigned, .lineSeparator, .paragraphSeparator,
        .spaceSeparator:
        return scalar == " "
    default: return true
    }
}
