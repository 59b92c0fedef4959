/// Python's `float(str)`, which decides whether Gnocchi reads a string as epoch seconds
/// (measure timestamps, `start`/`stop`) or as a number of seconds (timespans).
///
/// Accepted: surrounding ASCII white space, an optional sign, digits with single `_`
/// between digits, an optional `.` fraction, an optional exponent, or `inf`, `infinity`,
/// `nan` in any case. Rejected: hex, a lone `.`, misplaced `_`. Python also accepts
/// non-ASCII digits and spaces; Rondone does not (ASCII only, a deliberate narrowing).
public enum PythonFloatGrammar {
    /// The value of `bytes` as Python's `float()` computes it (correctly rounded), or nil.
    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        // Most inputs on the hot path are ISO texts: refuse them without allocating.
        var sink = Sink(collecting: false)
        guard scan(bytes, into: &sink) != nil else { return nil }
        sink = Sink(collecting: true)
        return scan(bytes, into: &sink)
    }

    /// The cleaned-up text handed to `Double(_:)`; nothing is stored while only validating.
    struct Sink {
        let collecting: Bool
        var bytes: [UInt8] = []
        var first: UInt8?

        init(collecting: Bool) { self.collecting = collecting }

        @inline(__always)
        mutating func append(_ byte: UInt8) {
            if first == nil { first = byte }
            if collecting { bytes.append(byte) }
        }
    }

    private static func scan(_ bytes: UnsafeBufferPointer<UInt8>, into cleaned: inout Sink) -> Double? {
        var start = 0
        var end = bytes.count
        while start < end, NumpyDatetimeGrammar.isSpace(bytes[start]) { start += 1 }
        while end > start, NumpyDatetimeGrammar.isSpace(bytes[end - 1]) { end -= 1 }
        guard start < end else { return nil }
        // A number is at most a few hundred bytes in practice; anything longer is refused
        // rather than copied.
        guard end - start <= 512 else { return nil }

        var index = start
        if bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
            cleaned.append(bytes[index])
            index += 1
        }
        if let special = specialValue(bytes, from: index, to: end) {
            return cleaned.first == UInt8(ascii: "-") ? -special : special
        }
        var mantissaDigits = 0
        mantissaDigits += digitRun(bytes, &index, end, into: &cleaned)
        if index < end, bytes[index] == UInt8(ascii: ".") {
            cleaned.append(UInt8(ascii: "."))
            index += 1
            mantissaDigits += digitRun(bytes, &index, end, into: &cleaned)
        }
        guard mantissaDigits > 0 else { return nil }
        if index < end, bytes[index] | 0x20 == UInt8(ascii: "e") {
            cleaned.append(UInt8(ascii: "e"))
            index += 1
            if index < end, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                cleaned.append(bytes[index])
                index += 1
            }
            guard digitRun(bytes, &index, end, into: &cleaned) > 0 else { return nil }
        }
        guard index == end else { return nil }
        guard cleaned.collecting else { return 0 }
        return Double(String(decoding: cleaned.bytes, as: UTF8.self))
    }

    /// Consumes digits with single underscores between them and returns the digit count;
    /// a misplaced underscore is left unconsumed, so the caller fails on it.
    private static func digitRun(
        _ bytes: UnsafeBufferPointer<UInt8>, _ index: inout Int, _ end: Int, into cleaned: inout Sink
    ) -> Int {
        var count = 0
        while index < end {
            let byte = bytes[index]
            if byte &- 0x30 < 10 {
                cleaned.append(byte)
                count += 1
                index += 1
            } else if byte == UInt8(ascii: "_"), count > 0, index + 1 < end, bytes[index + 1] &- 0x30 < 10 {
                index += 1
            } else {
                break
            }
        }
        return count
    }

    private static func specialValue(_ bytes: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> Double? {
        func equals(_ word: StaticString) -> Bool {
            guard to - from == word.utf8CodeUnitCount else { return false }
            for offset in 0..<(to - from) where bytes[from + offset] | 0x20 != word.utf8Start[offset] {
                return false
            }
            return true
        }
        if equals("inf") || equals("infinity") { return .infinity }
        if equals("nan") { return .nan }
        return nil
    }
}
