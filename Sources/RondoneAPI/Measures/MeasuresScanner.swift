import RondoneJSON
import RondoneTimeSeries

/// The fast path of ``MeasuresParser``: reads the expected shapes in one pass and returns
/// `nil` at anything else, leaving errors to the reference path.
struct MeasuresScanner {
    let bytes: UnsafeBufferPointer<UInt8>
    let now: Timestamp
    var position = 0

    init(bytes: UnsafeBufferPointer<UInt8>, now: Timestamp) {
        self.bytes = bytes
        self.now = now
    }

    @inline(__always)
    mutating func skipSpace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    @inline(__always)
    mutating func consume(_ byte: UInt8) -> Bool {
        skipSpace()
        guard position < bytes.count, bytes[position] == byte else { return false }
        position += 1
        return true
    }

    mutating func atEnd() -> Bool {
        skipSpace()
        return position == bytes.count
    }

    /// `{"<key>": [measures], ...}`.
    mutating func metricBatch() -> [(metric: String, measures: Measures)]? {
        guard consume(UInt8(ascii: "{")) else { return nil }
        var result: [(metric: String, measures: Measures)] = []
        if consume(UInt8(ascii: "}")) { return result }
        repeat {
            skipSpace()
            guard let key = plainString() else { return nil }
            guard consume(UInt8(ascii: ":")), let measures = measuresList() else { return nil }
            result.append(
                (String(decoding: UnsafeBufferPointer(rebasing: bytes[key]), as: UTF8.self), measures))
        } while consume(UInt8(ascii: ","))
        guard consume(UInt8(ascii: "}")) else { return nil }
        return result
    }

    /// `[{"timestamp": ..., "value": ...}, ...]`.
    mutating func measuresList() -> Measures? {
        guard consume(UInt8(ascii: "[")) else { return nil }
        var result = Measures()
        var parser = TimestampListParser(now: now)
        if consume(UInt8(ascii: "]")) { return result }
        repeat {
            guard measure(into: &result, parser: &parser) else { return nil }
        } while consume(UInt8(ascii: ","))
        guard consume(UInt8(ascii: "]")) else { return nil }
        return result
    }

    private enum Token {
        case string(Range<Int>)
        case integer(Int64)
        case number(Double)
    }

    /// One `{"timestamp": ..., "value": ...}` object; other keys are skipped; a repeated
    /// key keeps its last value, as Python's json does.
    @inline(__always)
    private mutating func measure(into result: inout Measures, parser: inout TimestampListParser)
        -> Bool
    {
        guard consume(UInt8(ascii: "{")) else { return false }
        var stamp: Token? = nil
        var value: Double? = nil
        if !consume(UInt8(ascii: "}")) {
            repeat {
                skipSpace()
                guard let key = plainString(), consume(UInt8(ascii: ":")) else { return false }
                skipSpace()
                let length = key.count
                if length == 9 && matches(key, "timestamp") {
                    guard let token = scalar() else { return false }
                    stamp = token
                } else if length == 5 && matches(key, "value") {
                    guard let token = scalar() else { return false }
                    switch token {
                    case .integer(let number): value = Double(number)
                    case .number(let number): value = number
                    case .string(let range):
                        guard
                            let number = PythonFloatGrammar.parse(UnsafeBufferPointer(rebasing: bytes[range]))
                        else {
                            return false
                        }
                        value = number
                    }
                } else {
                    guard skipValue(depth: 0) else { return false }
                }
            } while consume(UInt8(ascii: ","))
            guard consume(UInt8(ascii: "}")) else { return false }
        }
        guard let stamp, let value else { return false }
        let time: Timestamp
        do throws(TimestampError) {
            switch stamp {
            case .string(let range):
                time = try parser.parse(string: UnsafeBufferPointer(rebasing: bytes[range]))
            case .integer(let number): time = try parser.parse(integer: number)
            case .number(let number): time = try parser.parse(number: number)
            }
        } catch {
            return false
        }
        result.append(time.nanoseconds, value)
        return true
    }

    @inline(__always)
    private func matches(_ range: Range<Int>, _ word: StaticString) -> Bool {
        var index = range.lowerBound
        for offset in 0..<word.utf8CodeUnitCount {
            if bytes[index] != word.utf8Start[offset] { return false }
            index += 1
        }
        return true
    }

    /// A string, number or boolean as a token; anything else (null, NaN, escapes in a
    /// string, containers) is left to the reference path.
    @inline(__always)
    private mutating func scalar() -> Token? {
        guard position < bytes.count else { return nil }
        switch bytes[position] {
        case UInt8(ascii: "\""): return plainString().map { .string($0) }
        case UInt8(ascii: "t"):
            guard literal("true") else { return nil }
            return .integer(1)
        case UInt8(ascii: "f"):
            guard literal("false") else { return nil }
            return .integer(0)
        default:
            let start = position
            guard let (end, isInteger) = JSONReader.scanNumber(bytes, from: position) else { return nil }
            position = end
            if isInteger, let integer = JSONReader.integer(bytes, start, end) { return .integer(integer) }
            return JSONReader.double(bytes, start, end).map { .number($0) }
        }
    }

    private mutating func literal(_ word: StaticString) -> Bool {
        guard position + word.utf8CodeUnitCount <= bytes.count,
            matches(position..<(position + word.utf8CodeUnitCount), word)
        else { return false }
        position += word.utf8CodeUnitCount
        return true
    }

    /// The byte range of a string without escapes or control characters (their content
    /// is the bytes themselves); `nil` otherwise.
    @inline(__always)
    private mutating func plainString() -> Range<Int>? {
        guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { return nil }
        let start = position + 1
        var index = start
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                position = index + 1
                return start..<index
            }
            if byte == UInt8(ascii: "\\") || byte < 0x20 || byte >= 0x80 { return nil }
            index += 1
        }
        return nil
    }

    /// Skips any value of a key the scanner does not read (extra keys are allowed).
    private mutating func skipValue(depth: Int) -> Bool {
        guard depth < 64, position < bytes.count else { return false }
        switch bytes[position] {
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            let close = bytes[position] == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
            let isObject = close == UInt8(ascii: "}")
            position += 1
            if consume(close) { return true }
            repeat {
                skipSpace()
                if isObject {
                    guard plainString() != nil, consume(UInt8(ascii: ":")) else { return false }
                    skipSpace()
                }
                guard skipValue(depth: depth + 1) else { return false }
            } while consume(UInt8(ascii: ","))
            return consume(close)
        case UInt8(ascii: "n"): return literal("null")
        default: return scalar() != nil
        }
    }
}
