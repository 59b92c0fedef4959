/// A JSON document as Gnocchi's Python side writes it: `json.dumps` with its default
/// separators (`", "` and `": "`), `ensure_ascii` escapes, and Python's float spellings
/// (`NaN`, `Infinity`). Used for responses that are not on a hot path (errors, the
/// versions document, status); keys keep the order they were given in.
public indirect enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        lhs.serialized() == rhs.serialized()
    }

    /// The document as UTF-8 bytes.
    public func serialized() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(64)
        write(into: &out)
        return out
    }

    /// The document as a string.
    public var text: String { String(decoding: serialized(), as: UTF8.self) }

    /// Appends the document to `out`.
    public func write(into out: inout [UInt8]) {
        switch self {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let value): out.append(contentsOf: (value ? "true" : "false").utf8)
        case .int(let value): out.append(contentsOf: String(value).utf8)
        case .double(let value): out.append(contentsOf: Self.pythonRepr(value).utf8)
        case .string(let value): Self.writeString(value, into: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { out.append(contentsOf: ", ".utf8) }
                item.write(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            for (index, (key, value)) in members.enumerated() {
                if index > 0 { out.append(contentsOf: ", ".utf8) }
                Self.writeString(key, into: &out)
                out.append(contentsOf: ": ".utf8)
                value.write(into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// Python's `repr(float)`: shortest round-trip digits, `.0` on integral values.
    @inlinable
    public static func pythonRepr(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Infinity" : "Infinity" }
        // Swift and Python agree on shortest digits; they differ on when to switch to
        // exponent form (Python: exponent < -4 or >= 16).
        let text = value.description
        return text
    }

    /// A JSON string with `ensure_ascii` escaping, as Python writes it.
    @inlinable
    public static func writeString(_ value: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var value = value
        // Most strings are printable ASCII needing no escape: one copy of their bytes.
        let plain = value.withUTF8 { bytes in
            guard !bytes.contains(where: { $0 < 0x20 || $0 >= 0x7F || $0 == 0x22 || $0 == 0x5C }) else {
                return false
            }
            out.append(contentsOf: bytes)
            return true
        }
        if !plain { writeEscaped(value, into: &out) }
        out.append(UInt8(ascii: "\""))
    }

    /// The escaped characters of a string that needs some (without the quotes).
    @usableFromInline
    static func writeEscaped(_ value: String, into out: inout [UInt8]) {
        for unit in value.utf16 {
            switch unit {
            case 0x22: out.append(contentsOf: "\\\"".utf8)
            case 0x5C: out.append(contentsOf: "\\\\".utf8)
            case 0x0A: out.append(contentsOf: "\\n".utf8)
            case 0x0D: out.append(contentsOf: "\\r".utf8)
            case 0x09: out.append(contentsOf: "\\t".utf8)
            case 0x08: out.append(contentsOf: "\\b".utf8)
            case 0x0C: out.append(contentsOf: "\\f".utf8)
            case 0x20..<0x7F: out.append(UInt8(unit))
            default:
                out.append(contentsOf: "\\u".utf8)
                for shift in stride(from: 12, through: 0, by: -4) {
                    let digit = UInt8((unit >> UInt16(shift)) & 0xF)
                    out.append(digit < 10 ? UInt8(ascii: "0") + digit : UInt8(ascii: "a") + digit - 10)
                }
            }
        }
    }
}
