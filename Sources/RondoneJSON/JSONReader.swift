#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads a request body into a ``JSONValue`` as Gnocchi's decoder (ujson) does: `NaN`,
/// `Infinity`, `-Infinity` and leading zeros are accepted, a duplicated key keeps its
/// first position and its last value (a Python dict), lone surrogates become U+FFFD.
/// Errors carry ujson's messages for the common cases ("Expected object or value",
/// "Trailing data"). Depth is bounded so hostile nesting cannot exhaust the stack.
public struct JSONReader {
    /// A body that is not JSON, with the reason Gnocchi reports.
    public struct SyntaxError: Error, Equatable, Sendable {
        public var reason: String
    }

    static let maxDepth = 512

    let bytes: UnsafeBufferPointer<UInt8>
    var position = 0

    /// Parses a whole document.
    public static func parse(_ body: some Collection<UInt8>) throws(SyntaxError) -> JSONValue {
        let result: Result<JSONValue, SyntaxError> =
            body.withContiguousStorageIfAvailable { parse(buffer: $0) }
            ?? Array(body).withUnsafeBufferPointer { parse(buffer: $0) }
        return try result.get()
    }

    static func parse(buffer: UnsafeBufferPointer<UInt8>) -> Result<JSONValue, SyntaxError> {
        var reader = JSONReader(bytes: buffer)
        do throws(SyntaxError) {
            reader.skipSpace()
            guard reader.position < buffer.count else {
                throw SyntaxError(reason: "Expected object or value")
            }
            let value = try reader.value(depth: 0)
            reader.skipSpace()
            guard reader.position == buffer.count else { throw SyntaxError(reason: "Trailing data") }
            return .success(value)
        } catch {
            return .failure(error)
        }
    }

    mutating func skipSpace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    mutating func value(depth: Int) throws(SyntaxError) -> JSONValue {
        guard depth < Self.maxDepth else { throw SyntaxError(reason: "Reached object decoding depth limit") }
        guard position < bytes.count else { throw SyntaxError(reason: "Unexpected end of input") }
        switch bytes[position] {
        case UInt8(ascii: "{"): return try object(depth: depth)
        case UInt8(ascii: "["): return try array(depth: depth)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .null)
        case UInt8(ascii: "N"): return try literal("NaN", .double(.nan))
        case UInt8(ascii: "I"): return try literal("Infinity", .double(.infinity))
        case UInt8(ascii: "-") where position + 1 < bytes.count && bytes[position + 1] == UInt8(ascii: "I"):
            position += 1
            return try literal("Infinity", .double(-.infinity))
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
        default: throw SyntaxError(reason: "Expected object or value")
        }
    }

    mutating func literal(_ word: StaticString, _ value: JSONValue) throws(SyntaxError) -> JSONValue {
        let count = word.utf8CodeUnitCount
        guard position + count <= bytes.count else { throw SyntaxError(reason: "Unexpected end of input") }
        for index in 0..<count where bytes[position + index] != word.utf8Start[index] {
            throw SyntaxError(reason: "Expected object or value")
        }
        position += count
        return value
    }

    mutating func object(depth: Int) throws(SyntaxError) -> JSONValue {
        position += 1
        var members: [(String, JSONValue)] = []
        var index: [String: Int] = [:]
        skipSpace()
        if position < bytes.count && bytes[position] == UInt8(ascii: "}") {
            position += 1
            return .object([])
        }
        while true {
            skipSpace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else {
                throw SyntaxError(reason: "Key name of object must be 'string' when decoding 'object'")
            }
            let key = try string()
            skipSpace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else {
                throw SyntaxError(reason: "No ':' found when decoding object value")
            }
            position += 1
            skipSpace()
            let member = try value(depth: depth + 1)
            if let existing = index[key] {
                members[existing].1 = member
            } else {
                index[key] = members.count
                members.append((key, member))
            }
            skipSpace()
            guard position < bytes.count else { throw SyntaxError(reason: "Unexpected end of input") }
            if bytes[position] == UInt8(ascii: "}") {
                position += 1
                return .object(members)
            }
            guard bytes[position] == UInt8(ascii: ",") else {
                throw SyntaxError(reason: "Unexpected character found when decoding object value")
            }
            position += 1
        }
    }

    mutating func array(depth: Int) throws(SyntaxError) -> JSONValue {
        position += 1
        var items: [JSONValue] = []
        skipSpace()
        if position < bytes.count && bytes[position] == UInt8(ascii: "]") {
            position += 1
            return .array([])
        }
        while true {
            skipSpace()
            items.append(try value(depth: depth + 1))
            skipSpace()
            guard position < bytes.count else { throw SyntaxError(reason: "Unexpected end of input") }
            if bytes[position] == UInt8(ascii: "]") {
                position += 1
                return .array(items)
            }
            guard bytes[position] == UInt8(ascii: ",") else {
                throw SyntaxError(reason: "Unexpected character found when decoding array value (2)")
            }
            position += 1
        }
    }

    /// A string starting at the opening quote; returns the decoded text.
    mutating func string() throws(SyntaxError) -> String {
        position += 1
        var scalars = String.UnicodeScalarView()
        var runStart = position
        func flush(_ end: Int, into scalars: inout String.UnicodeScalarView) {
            if end > runStart {
                let run = String(
                    decoding: UnsafeBufferPointer(rebasing: bytes[runStart..<end]), as: UTF8.self)
                scalars.append(contentsOf: run.unicodeScalars)
            }
        }
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                flush(position, into: &scalars)
                position += 1
                return String(scalars)
            }
            if byte == UInt8(ascii: "\\") {
                flush(position, into: &scalars)
                position += 1
                guard position < bytes.count else { break }
                let escape = bytes[position]
                position += 1
                switch escape {
                case UInt8(ascii: "\""): scalars.append("\"")
                case UInt8(ascii: "\\"): scalars.append("\\")
                case UInt8(ascii: "/"): scalars.append("/")
                case UInt8(ascii: "b"): scalars.append("\u{08}")
                case UInt8(ascii: "f"): scalars.append("\u{0C}")
                case UInt8(ascii: "n"): scalars.append("\n")
                case UInt8(ascii: "r"): scalars.append("\r")
                case UInt8(ascii: "t"): scalars.append("\t")
                case UInt8(ascii: "u"):
                    let high = try hex4()
                    if (0xD800..<0xDC00).contains(high), position + 1 < bytes.count,
                        bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u")
                    {
                        let save = position
                        position += 2
                        let low = try hex4()
                        if (0xDC00..<0xE000).contains(low) {
                            scalars.append(
                                Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))!)
                        } else {
                            position = save
                            scalars.append("\u{FFFD}")
                        }
                    } else {
                        scalars.append(Unicode.Scalar(high) ?? "\u{FFFD}")
                    }
                default: throw SyntaxError(reason: "Unrecognized escape sequence when decoding 'string'")
                }
                runStart = position
                continue
            }
            position += 1
        }
        throw SyntaxError(reason: "Unmatched '\"' when when decoding 'string'")
    }

    mutating func hex4() throws(SyntaxError) -> UInt32 {
        guard position + 4 <= bytes.count else { throw SyntaxError(reason: "Unexpected end of input") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a")) + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A")) + 10
            default: throw SyntaxError(reason: "Unrecognized escape sequence when decoding 'string'")
            }
            value = value << 4 | digit
            position += 1
        }
        return value
    }

    mutating func number() throws(SyntaxError) -> JSONValue {
        let start = position
        guard let (end, isInteger) = Self.scanNumber(bytes, from: position) else {
            throw SyntaxError(reason: "Expected object or value")
        }
        position = end
        if isInteger, let integer = Self.integer(bytes, start, end) { return .int(integer) }
        guard let double = Self.double(bytes, start, end) else {
            throw SyntaxError(reason: "Expected object or value")
        }
        return .double(double)
    }

    /// The end of the JSON number at `start` and whether it is an integer literal; `nil`
    /// when no digits follow the sign. Leading zeros are allowed, as ujson allows them.
    @inlinable @inline(__always)
    public static func scanNumber(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> (Int, Bool)? {
        var index = start
        if index < bytes.count && bytes[index] == UInt8(ascii: "-") { index += 1 }
        let digitsStart = index
        while index < bytes.count && bytes[index] &- UInt8(ascii: "0") < 10 { index += 1 }
        guard index > digitsStart else { return nil }
        var isInteger = true
        if index < bytes.count && bytes[index] == UInt8(ascii: ".") {
            isInteger = false
            index += 1
            let fractionStart = index
            while index < bytes.count && bytes[index] &- UInt8(ascii: "0") < 10 { index += 1 }
            guard index > fractionStart else { return nil }
        }
        if index < bytes.count && (bytes[index] | 0x20) == UInt8(ascii: "e") {
            isInteger = false
            index += 1
            if index < bytes.count && (bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-"))
            {
                index += 1
            }
            let exponentStart = index
            while index < bytes.count && bytes[index] &- UInt8(ascii: "0") < 10 { index += 1 }
            guard index > exponentStart else { return nil }
        }
        return (index, isInteger)
    }

    /// An integer literal's value, or `nil` when it does not fit in Int64.
    @inlinable @inline(__always)
    public static func integer(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Int64? {
        var index = start
        let negative = bytes[index] == UInt8(ascii: "-")
        if negative { index += 1 }
        var value: Int64 = 0
        while index < end {
            let (shifted, overflow1) = value.multipliedReportingOverflow(by: 10)
            let digit = Int64(bytes[index] &- UInt8(ascii: "0"))
            let (next, overflow2) =
                negative
                ? shifted.subtractingReportingOverflow(digit) : shifted.addingReportingOverflow(digit)
            if overflow1 || overflow2 { return nil }
            value = next
            index += 1
        }
        return value
    }

    /// A validated JSON number's value, correctly rounded (strtod on a bounded copy).
    public static func double(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Double? {
        let length = end - start
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: length + 1) { buffer -> Double? in
            for index in 0..<length { buffer[index] = CChar(bitPattern: bytes[start + index]) }
            buffer[length] = 0
            return strtod(buffer.baseAddress!, nil)
        }
    }
}
