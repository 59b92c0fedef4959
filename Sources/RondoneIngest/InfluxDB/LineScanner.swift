/// What a field value was: a number to store, or a string Gnocchi skips.
enum FieldValue {
    case number(Double)
    case string
}

/// Reads one line of the line protocol, byte by byte, as Gnocchi's grammar does:
/// identifiers (measurement, tag keys and values, field keys) are either a quoted string
/// (`"…"`, `\` escaping the next byte) or unquoted bytes up to a space, comma or equals
/// sign, where `\ `, `\,` and `\=` stand for the character and any other `\` is itself.
/// Decoded identifiers go to a scratch buffer the caller reuses across lines; a failure
/// is `nil` (the caller knows the line number).
struct LineScanner {
    let bytes: UnsafeBufferPointer<UInt8>
    var position: Int
    let end: Int

    init(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) {
        self.bytes = bytes
        self.position = start
        self.end = end
    }

    var atEnd: Bool { position >= end }

    var current: UInt8 { bytes[position] }

    /// Consumes `byte` if it is next.
    mutating func take(_ byte: UInt8) -> Bool {
        guard position < end, bytes[position] == byte else { return false }
        position += 1
        return true
    }

    /// Appends the next identifier to `scratch`; its range there, nil if there is none.
    mutating func identifier(into scratch: inout [UInt8]) -> Range<Int>? {
        let start = scratch.count
        if position < end, bytes[position] == UInt8(ascii: "\""), quoted(into: &scratch) {
            return start..<scratch.count
        }
        while position < end {
            // The run of plain bytes, appended in one go.
            var runEnd = position
            while runEnd < end {
                let byte = bytes[runEnd]
                if byte == UInt8(ascii: " ") || byte == UInt8(ascii: ",") || byte == UInt8(ascii: "=")
                    || byte == UInt8(ascii: "\\")
                {
                    break
                }
                runEnd += 1
            }
            if runEnd > position {
                scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[position..<runEnd]))
                position = runEnd
                continue
            }
            let byte = bytes[position]
            if byte == UInt8(ascii: " ") || byte == UInt8(ascii: ",") || byte == UInt8(ascii: "=") { break }
            if byte == UInt8(ascii: "\\"), position + 1 < end {
                let next = bytes[position + 1]
                if next == UInt8(ascii: " ") || next == UInt8(ascii: ",") || next == UInt8(ascii: "=") {
                    scratch.append(next)
                    position += 2
                    continue
                }
            }
            scratch.append(byte)
            position += 1
        }
        return scratch.count > start ? start..<scratch.count : nil
    }

    /// A quoted identifier (pyparsing's `QuotedString('"', escChar='\\')`); false (and
    /// nothing consumed or kept) when the quote is never closed.
    private mutating func quoted(into scratch: inout [UInt8]) -> Bool {
        let start = scratch.count
        var index = position + 1
        while index < end {
            var byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                position = index + 1
                return true
            }
            if byte == UInt8(ascii: "\\"), index + 1 < end {
                index += 1
                byte = Self.whitespaceEscape(bytes[index])
            }
            scratch.append(byte)
            index += 1
        }
        scratch.removeSubrange(start...)
        return false
    }

    /// pyparsing turns `\t`, `\n`, `\f` and `\r` in quoted strings into the control byte.
    private static func whitespaceEscape(_ byte: UInt8) -> UInt8 {
        switch byte {
        case UInt8(ascii: "t"): 9
        case UInt8(ascii: "n"): 10
        case UInt8(ascii: "f"): 12
        case UInt8(ascii: "r"): 13
        default: byte
        }
    }

    /// A field value, ending at a comma, a space or the end of the line.
    mutating func fieldValue() -> FieldValue? {
        guard position < end else { return nil }
        let first = bytes[position]
        if first == UInt8(ascii: "\"") { return stringValue() }
        if first == UInt8(ascii: "t") || first == UInt8(ascii: "T") || first == UInt8(ascii: "f")
            || first == UInt8(ascii: "F")
        {
            return boolean()
        }
        return number()
    }

    private var atValueEnd: Bool {
        position >= end || bytes[position] == UInt8(ascii: ",") || bytes[position] == UInt8(ascii: " ")
    }

    private mutating func stringValue() -> FieldValue? {
        var index = position + 1
        while index < end {
            if bytes[index] == UInt8(ascii: "\\") {
                index += 2
                continue
            }
            if bytes[index] == UInt8(ascii: "\"") {
                position = index + 1
                return atValueEnd ? .string : nil
            }
            index += 1
        }
        return nil
    }

    private static let booleans: [(word: [UInt8], value: Double)] = [
        ("t", 1), ("T", 1), ("true", 1), ("True", 1), ("TRUE", 1),
        ("f", 0), ("F", 0), ("false", 0), ("False", 0), ("FALSE", 0),
    ].map { (Array($0.0.utf8), $0.1) }

    private mutating func boolean() -> FieldValue? {
        let start = position
        while !atValueEnd { position += 1 }
        let word = UnsafeBufferPointer(rebasing: bytes[start..<position])
        for candidate in Self.booleans where candidate.word.elementsEqual(word) {
            return .number(candidate.value)
        }
        return nil
    }

    /// `[+-]digits[.digits][e[+-]digits]`, or an integer with an `i` (or `u`) suffix.
    private mutating func number() -> FieldValue? {
        let start = position
        var negative = false
        if bytes[position] == UInt8(ascii: "-") || bytes[position] == UInt8(ascii: "+") {
            negative = bytes[position] == UInt8(ascii: "-")
            position += 1
        }
        var mantissa: UInt64 = 0
        var significant = 0
        var digits = 0
        var exponent = 0
        var isInteger = true
        while position < end, let digit = Self.digit(bytes[position]) {
            if significant < 19 {
                mantissa = mantissa &* 10 &+ UInt64(digit)
                if mantissa > 0 { significant += 1 }
            } else {
                exponent += 1
            }
            digits += 1
            position += 1
        }
        if take(UInt8(ascii: ".")) {
            isInteger = false
            while position < end, let digit = Self.digit(bytes[position]) {
                if significant < 19 {
                    mantissa = mantissa &* 10 &+ UInt64(digit)
                    if mantissa > 0 { significant += 1 }
                    exponent -= 1
                }
                digits += 1
                position += 1
            }
        }
        guard digits > 0 else { return nil }
        if position < end, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
            isInteger = false
            position += 1
            var exponentNegative = false
            if position < end, bytes[position] == UInt8(ascii: "-") || bytes[position] == UInt8(ascii: "+") {
                exponentNegative = bytes[position] == UInt8(ascii: "-")
                position += 1
            }
            var written = 0
            var exponentDigits = 0
            while position < end, let digit = Self.digit(bytes[position]) {
                if written < 100_000 { written = written * 10 + digit }
                exponentDigits += 1
                position += 1
            }
            guard exponentDigits > 0 else { return nil }
            exponent += exponentNegative ? -written : written
        }
        let numberEnd = position
        if isInteger, position < end,
            bytes[position] == UInt8(ascii: "i") || bytes[position] == UInt8(ascii: "u")
        {
            if bytes[position] == UInt8(ascii: "u"), negative { return nil }
            position += 1
        }
        guard atValueEnd else { return nil }
        if significant <= 15, exponent >= -22, exponent <= 22 {
            // Exact: the mantissa and the power of ten are both exact doubles.
            var value = Double(mantissa)
            value = exponent < 0 ? value / Self.powersOfTen[-exponent] : value * Self.powersOfTen[exponent]
            return .number(negative ? -value : value)
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<numberEnd]), as: UTF8.self)
        return Double(text).map { .number($0) }
    }

    private static let powersOfTen: [Double] = (0...22).map { exponent in
        var value = 1.0
        for _ in 0..<exponent { value *= 10 }
        return value
    }

    private static func digit(_ byte: UInt8) -> Int? {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") ? Int(byte - UInt8(ascii: "0")) : nil
    }

    /// An integer time stamp running to the end of the line.
    mutating func timestamp() -> Int64? {
        let negative = take(UInt8(ascii: "-"))
        var value: Int64 = 0
        var digits = 0
        while position < end, let digit = Self.digit(bytes[position]) {
            let (times, overflow) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times.addingReportingOverflow(Int64(digit))
            guard !overflow, !overflow2 else { return nil }
            value = sum
            digits += 1
            position += 1
        }
        guard digits > 0, position == end else { return nil }
        return negative ? -value : value
    }
}
