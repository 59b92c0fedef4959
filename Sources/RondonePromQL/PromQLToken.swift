/// One token of a PromQL expression, with where it starts (a byte offset in the query),
/// for errors that say where.
struct PromQLToken: Equatable, Sendable {
    enum Kind: Equatable, Sendable {
        case identifier(String)
        /// A metric name may hold `:` (recording rules); an identifier may not.
        case metricIdentifier(String)
        case number(Double)
        case string(String)
        /// Milliseconds.
        case duration(Int64)
        case leftParen, rightParen, leftBrace, rightBrace, leftBracket, rightBracket
        case comma, colon, at
        /// `+ - * / % ^ == != > < >= <= =~ !~ =`
        case op(String)
        case end
    }

    var kind: Kind
    var position: Int
}

/// Splits a PromQL expression into tokens, as Prometheus's lexer does: numbers in
/// decimal, hexadecimal, exponent form, `Inf` and `NaN`; strings in double, single or
/// back quotes (Go's escapes, none in back quotes); durations as sums of
/// `ms`, `s`, `m`, `h`, `d`, `w`, `y` units (`1h30m`); `#` comments to the end of a line.
struct PromQLLexer {
    let bytes: [UInt8]
    var index = 0

    init(_ text: String) { bytes = Array(text.utf8) }

    mutating func tokens() throws(PromQLError) -> [PromQLToken] {
        var out: [PromQLToken] = []
        while true {
            let token = try next()
            out.append(token)
            if token.kind == .end { return out }
        }
    }

    private mutating func next() throws(PromQLError) -> PromQLToken {
        skipSpaceAndComments()
        let start = index
        guard index < bytes.count else { return PromQLToken(kind: .end, position: start) }
        let byte = bytes[index]
        func single(_ kind: PromQLToken.Kind) -> PromQLToken {
            index += 1
            return PromQLToken(kind: kind, position: start)
        }
        switch byte {
        case UInt8(ascii: "("): return single(.leftParen)
        case UInt8(ascii: ")"): return single(.rightParen)
        case UInt8(ascii: "{"): return single(.leftBrace)
        case UInt8(ascii: "}"): return single(.rightBrace)
        case UInt8(ascii: "["): return single(.leftBracket)
        case UInt8(ascii: "]"): return single(.rightBracket)
        case UInt8(ascii: ","): return single(.comma)
        case UInt8(ascii: ":"): return single(.colon)
        case UInt8(ascii: "@"): return single(.at)
        case UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "*"), UInt8(ascii: "/"), UInt8(ascii: "%"),
            UInt8(ascii: "^"):
            return single(.op(String(UnicodeScalar(byte))))
        case UInt8(ascii: "="), UInt8(ascii: "!"), UInt8(ascii: "<"), UInt8(ascii: ">"):
            let following = index + 1 < bytes.count ? bytes[index + 1] : 0
            let pair = String(decoding: [byte, following], as: UTF8.self)
            if ["==", "!=", ">=", "<=", "=~", "!~"].contains(pair) {
                index += 2
                return PromQLToken(kind: .op(pair), position: start)
            }
            guard byte != UInt8(ascii: "!") else {
                throw PromQLError.parse(
                    at: start, "unexpected character after '!': \(Self.describe(following))")
            }
            return single(.op(String(UnicodeScalar(byte))))
        case UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: "`"):
            return PromQLToken(kind: .string(try string(quote: byte)), position: start)
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."):
            return try numberOrDuration(start)
        default:
            if Self.isIdentifierStart(byte) { return word(start) }
            throw PromQLError.parse(at: start, "unexpected character: \(Self.describe(byte))")
        }
    }

    private mutating func skipSpaceAndComments() {
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                index += 1
            case UInt8(ascii: "#"):
                while index < bytes.count && bytes[index] != UInt8(ascii: "\n") { index += 1 }
            default:
                return
            }
        }
    }

    private mutating func word(_ start: Int) -> PromQLToken {
        var sawColon = false
        while index < bytes.count, Self.isIdentifierPart(bytes[index]) || bytes[index] == UInt8(ascii: ":") {
            if bytes[index] == UInt8(ascii: ":") { sawColon = true }
            index += 1
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        // `Inf` and `NaN` are numbers, whatever their case.
        switch text.lowercased() {
        case "inf": return PromQLToken(kind: .number(.infinity), position: start)
        case "nan": return PromQLToken(kind: .number(.nan), position: start)
        default: break
        }
        return PromQLToken(kind: sawColon ? .metricIdentifier(text) : .identifier(text), position: start)
    }

    /// A number, or a duration when a unit follows the digits (`5m`, `1h30m`, `100ms`).
    private mutating func numberOrDuration(_ start: Int) throws(PromQLError) -> PromQLToken {
        if let duration = try durationLiteral() {
            return PromQLToken(kind: .duration(duration), position: start)
        }
        index = start
        var end = index
        if bytes[end] == UInt8(ascii: "0"), end + 1 < bytes.count,
            bytes[end + 1] == UInt8(ascii: "x") || bytes[end + 1] == UInt8(ascii: "X")
        {
            end += 2
            while end < bytes.count, Self.isHexDigit(bytes[end]) { end += 1 }
            let digits = String(decoding: bytes[(start + 2)..<end], as: UTF8.self)
            guard let value = UInt64(digits, radix: 16) else {
                throw PromQLError.parse(at: start, "bad number or duration syntax: \"\(digits)\"")
            }
            index = end
            return PromQLToken(kind: .number(Double(value)), position: start)
        }
        while end < bytes.count, Self.isDigit(bytes[end]) || bytes[end] == UInt8(ascii: ".") { end += 1 }
        if end < bytes.count, bytes[end] == UInt8(ascii: "e") || bytes[end] == UInt8(ascii: "E") {
            var exponent = end + 1
            if exponent < bytes.count,
                bytes[exponent] == UInt8(ascii: "+") || bytes[exponent] == UInt8(ascii: "-")
            {
                exponent += 1
            }
            if exponent < bytes.count, Self.isDigit(bytes[exponent]) {
                end = exponent
                while end < bytes.count, Self.isDigit(bytes[end]) { end += 1 }
            }
        }
        let text = String(decoding: bytes[start..<end], as: UTF8.self)
        guard let value = Double(text), end == bytes.count || !Self.isIdentifierPart(bytes[end]) else {
            var through = end
            while through < bytes.count, Self.isIdentifierPart(bytes[through]) { through += 1 }
            let bad = String(decoding: bytes[start..<through], as: UTF8.self)
            throw PromQLError.parse(at: start, "bad number or duration syntax: \"\(bad)\"")
        }
        index = end
        return PromQLToken(kind: .number(value), position: start)
    }

    /// Milliseconds of a duration literal at `index` (units in decreasing order, each at
    /// most once, as Prometheus's `ParseDuration`), or nil when it is not one.
    fileprivate mutating func durationLiteral() throws(PromQLError) -> Int64? {
        let units: [(String, Int64)] = [
            ("y", 365 * 86_400_000), ("w", 7 * 86_400_000), ("d", 86_400_000), ("h", 3_600_000),
            ("m", 60_000),
            ("s", 1_000), ("ms", 1),
        ]
        var position = index
        var total: Int64 = 0
        var lastUnit = -1
        var any = false
        while position < bytes.count, Self.isDigit(bytes[position]) {
            var digitsEnd = position
            while digitsEnd < bytes.count, Self.isDigit(bytes[digitsEnd]) { digitsEnd += 1 }
            guard let value = Int64(String(decoding: bytes[position..<digitsEnd], as: UTF8.self)) else {
                return nil
            }
            var unitEnd = digitsEnd
            while unitEnd < bytes.count, Self.isLetter(bytes[unitEnd]) { unitEnd += 1 }
            let unit = String(decoding: bytes[digitsEnd..<unitEnd], as: UTF8.self)
            guard let found = units.firstIndex(where: { $0.0 == unit }) else { return nil }
            guard found > lastUnit else { return nil }
            let (product, overflow) = value.multipliedReportingOverflow(by: units[found].1)
            let (sum, overflow2) = total.addingReportingOverflow(product)
            guard !overflow, !overflow2, sum <= PromQLDuration.maxMilliseconds else {
                throw PromQLError.parse(at: index, "duration out of range")
            }
            total = sum
            lastUnit = found
            any = true
            position = unitEnd
        }
        guard any, position >= bytes.count || !Self.isIdentifierPart(bytes[position]) else { return nil }
        index = position
        return total
    }

    private mutating func string(quote: UInt8) throws(PromQLError) -> String {
        let start = index
        index += 1
        var out: [UInt8] = []
        while index < bytes.count {
            let byte = bytes[index]
            if byte == quote {
                index += 1
                return String(decoding: out, as: UTF8.self)
            }
            if byte == UInt8(ascii: "\n"), quote != UInt8(ascii: "`") {
                throw PromQLError.parse(at: start, "unterminated quoted string")
            }
            if byte == UInt8(ascii: "\\"), quote != UInt8(ascii: "`") {
                index += 1
                guard index < bytes.count else { break }
                try escape(into: &out, quote: quote, start: start)
                continue
            }
            out.append(byte)
            index += 1
        }
        throw PromQLError.parse(at: start, "unterminated quoted string")
    }

    /// Go's escapes: `\a \b \f \n \r \t \v \\ \' \"`, octal `\NNN`, `\xHH`, `\uHHHH`, `\UHHHHHHHH`.
    private mutating func escape(into out: inout [UInt8], quote: UInt8, start: Int) throws(PromQLError) {
        let byte = bytes[index]
        index += 1
        switch byte {
        case UInt8(ascii: "a"): out.append(7)
        case UInt8(ascii: "b"): out.append(8)
        case UInt8(ascii: "f"): out.append(12)
        case UInt8(ascii: "n"): out.append(10)
        case UInt8(ascii: "r"): out.append(13)
        case UInt8(ascii: "t"): out.append(9)
        case UInt8(ascii: "v"): out.append(11)
        case UInt8(ascii: "\\"): out.append(byte)
        case quote: out.append(byte)
        case UInt8(ascii: "x"), UInt8(ascii: "u"), UInt8(ascii: "U"):
            let count = byte == UInt8(ascii: "x") ? 2 : byte == UInt8(ascii: "u") ? 4 : 8
            guard index + count <= bytes.count,
                let value = UInt32(String(decoding: bytes[index..<(index + count)], as: UTF8.self), radix: 16)
            else { throw PromQLError.parse(at: start, "invalid escape sequence in quoted string") }
            index += count
            if byte == UInt8(ascii: "x") {
                out.append(UInt8(value))
            } else {
                guard let scalar = Unicode.Scalar(value) else {
                    throw PromQLError.parse(at: start, "invalid Unicode code point in escape sequence")
                }
                out += Array(String(Character(scalar)).utf8)
            }
        case UInt8(ascii: "0")...UInt8(ascii: "7"):
            guard index + 2 <= bytes.count,
                let value = UInt32(
                    String(decoding: bytes[(index - 1)..<(index + 2)], as: UTF8.self), radix: 8),
                value < 256
            else { throw PromQLError.parse(at: start, "invalid escape sequence in quoted string") }
            index += 2
            out.append(UInt8(value))
        default:
            throw PromQLError.parse(at: start, "unknown escape sequence \(Self.describe(byte))")
        }
    }

    static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
    static func isLetter(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
    }
    static func isHexDigit(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "f"))
            || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "F"))
    }
    static func isIdentifierStart(_ byte: UInt8) -> Bool { isLetter(byte) || byte == UInt8(ascii: "_") }
    static func isIdentifierPart(_ byte: UInt8) -> Bool { isIdentifierStart(byte) || isDigit(byte) }

    static func describe(_ byte: UInt8) -> String {
        byte >= 0x20 && byte < 0x7F
            ? "'\(Character(UnicodeScalar(byte)))'" : "byte 0x" + String(byte, radix: 16)
    }
}

/// Prometheus's duration syntax outside a query (the HTTP API's `step`, `timeout`).
public enum PromQLDuration {
    /// The longest duration, as Prometheus's (an `int64` of nanoseconds: about 292 years).
    public static let maxMilliseconds = Int64.max / 1_000_000

    /// `text` as a duration (`5m`, `1h30m`, `100ms`), in milliseconds; nil when the whole
    /// of it is not one.
    public static func milliseconds(_ text: String) -> Int64? {
        var lexer = PromQLLexer(text)
        guard let value = try? lexer.durationLiteral(), lexer.index == lexer.bytes.count else { return nil }
        return value
    }
}
