/// A number of seconds as pytimeparse returns it: an exact integer or a float.
enum ParsedSeconds: Equatable {
    case integer(Int64)
    case real(Double)

    /// `seconds * 10e8` as Python computes it (a float product) before Gnocchi truncates
    /// it to integer nanoseconds.
    var nanosecondsProduct: Double {
        switch self {
        case .integer(let value): Double(value) * 1e9
        case .real(let value): value * 1e9
        }
    }
}

/// The duration grammar of pytimeparse 1.1 (`pytimeparse.parse`), which Gnocchi's
/// `to_timespan` uses for strings that are not plain numbers: timespans in archive policies,
/// `granularity`/`resample` parameters, and relative timestamps such as `"-1 hour"`.
///
/// Grammar (case-insensitive, `ws` = ASCII white space, everything may be surrounded by ws):
/// `[+-]? ws* body` where `body` is one of
/// 1. unit terms in the order weeks, days, hours, minutes, seconds, each optional and at most
///    once: `number ws* unit`, every term but seconds optionally followed by `ws* [,/]`;
///    units `w|wk|wks|week|weeks`, `d|dy|dys|day|days`, `h|hr|hrs|hour|hours`,
///    `m|min|mins|minute|minutes`, `s|sec|secs|second|seconds`; `number` = `[0-9.]+`;
/// 2. `m:ss` (`\d{1,2}:\d{2}(\.\d+)?`, minutes and seconds);
/// 3. optional week/day terms, then `h+:mm:ss(.f)?`;
/// 4. `d+[:-]hh:mm:ss(.f)?`;
/// 5. `:ss(.f)?`.
/// The value is an exact integer when every number is an integer, the truncated exact
/// decimal sum plus the seconds when only the seconds are integral, otherwise the float sum
/// in the order weeks, days, hours, minutes, seconds (as pytimeparse sums them).
enum RelativeTimeGrammar {
    /// Index of each field, in pytimeparse's group order; the value is its multiplier.
    static let multipliers: [Int64] = [604_800, 86_400, 3_600, 60, 1]
    static let weeks = 0, days = 1, hours = 2, minutes = 3, seconds = 4

    /// The numbers of one match, as the byte ranges of their text, by field.
    typealias Fields = [Range<Int>?]

    @inline(__always)
    static func isSpace(_ byte: UInt8) -> Bool {
        // Python's `\s` on ASCII: space, \t-\r and the separators \x1c-\x1f.
        byte == 0x20 || (byte >= 0x09 && byte <= 0x0D) || (byte >= 0x1C && byte <= 0x1F)
    }

    @inline(__always)
    static func isDigit(_ byte: UInt8) -> Bool { byte &- 0x30 < 10 }

    /// The signed number of seconds `bytes` denotes, or nil when pytimeparse returns None.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> ParsedSeconds? {
        var start = 0
        var end = bytes.count
        while start < end, isSpace(bytes[start]) { start += 1 }
        var negative = false
        if start < end, bytes[start] == UInt8(ascii: "-") || bytes[start] == UInt8(ascii: "+") {
            negative = bytes[start] == UInt8(ascii: "-")
            start += 1
        }
        while start < end, isSpace(bytes[start]) { start += 1 }
        while end > start, isSpace(bytes[end - 1]) { end -= 1 }
        guard start < end else { return nil }
        let body = UnsafeBufferPointer(rebasing: bytes[start..<end])

        let formats: [(UnsafeBufferPointer<UInt8>) -> Fields?] = [
            unitTerms, minuteClock, hourClock, dayClock, secondClock,
        ]
        for format in formats {
            guard let fields = format(body), let value = evaluate(fields, body) else { continue }
            switch value {
            case .integer(let integer): return .integer(negative ? -integer : integer)
            case .real(let real): return .real(negative ? -real : real)
            }
        }
        return nil
    }

    // MARK: Formats

    /// Format 1: unit terms in order.
    static func unitTerms(_ body: UnsafeBufferPointer<UInt8>) -> Fields? {
        var fields: Fields = Array(repeating: nil, count: 5)
        var index = 0
        var nextField = 0
        while index < body.count {
            guard let (number, field, after) = unitTerm(body, from: index), field >= nextField else {
                return nil
            }
            fields[field] = number
            nextField = field + 1
            index = skipSpaces(body, after)
            if field != seconds, index < body.count,
                body[index] == UInt8(ascii: ",") || body[index] == UInt8(ascii: "/")
            {
                index = skipSpaces(body, index + 1)
            }
        }
        return fields
    }

    /// One `number ws* unit` term: the number's range, the field and the end of the unit.
    private static func unitTerm(
        _ body: UnsafeBufferPointer<UInt8>, from start: Int
    ) -> (Range<Int>, Int, Int)? {
        var index = start
        while index < body.count, isDigit(body[index]) || body[index] == UInt8(ascii: ".") { index += 1 }
        guard index > start else { return nil }
        let number = start..<index
        index = skipSpaces(body, index)
        let wordStart = index
        while index < body.count, body[index] | 0x20 >= UInt8(ascii: "a"),
            body[index] | 0x20 <= UInt8(ascii: "z")
        {
            index += 1
        }
        guard let field = unitField(UnsafeBufferPointer(rebasing: body[wordStart..<index])) else {
            return nil
        }
        return (number, field, index)
    }

    /// The field a unit word names; a word must be one whole alternative (regex backtracking
    /// cannot split a word, since every term after it starts with a digit or a dot).
    private static func unitField(_ word: UnsafeBufferPointer<UInt8>) -> Int? {
        var lower: [UInt8] = []
        lower.reserveCapacity(word.count)
        for byte in word { lower.append(byte | 0x20) }
        switch String(decoding: lower, as: UTF8.self) {
        case "w", "wk", "wks", "week", "weeks": return weeks
        case "d", "dy", "dys", "day", "days": return days
        case "h", "hr", "hrs", "hour", "hours": return hours
        case "m", "min", "mins", "minute", "minutes": return minutes
        case "s", "sec", "secs", "second", "seconds": return seconds
        default: return nil
        }
    }

    /// Format 2: `m:ss` or `mm:ss`, with an optional seconds fraction.
    static func minuteClock(_ body: UnsafeBufferPointer<UInt8>) -> Fields? {
        guard let colon = digits(body, from: 0, min: 1, max: 2), colon < body.count,
            body[colon] == UInt8(ascii: ":"), let end = clockSeconds(body, from: colon + 1),
            end == body.count
        else { return nil }
        return [nil, nil, nil, 0..<colon, (colon + 1)..<end]
    }

    /// Format 3: optional week and day terms, then `h:mm:ss`.
    static func hourClock(_ body: UnsafeBufferPointer<UInt8>) -> Fields? {
        var fields: Fields = Array(repeating: nil, count: 5)
        var index = 0
        var nextField = weeks
        while let (number, field, after) = unitTerm(body, from: index), field >= nextField, field <= days {
            fields[field] = number
            nextField = field + 1
            index = skipSpaces(body, after)
            if index < body.count, body[index] == UInt8(ascii: ",") || body[index] == UInt8(ascii: "/") {
                index = skipSpaces(body, index + 1)
            }
        }
        guard let hourEnd = digits(body, from: index, min: 1, max: Int.max), hourEnd < body.count,
            body[hourEnd] == UInt8(ascii: ":"),
            let minuteEnd = digits(body, from: hourEnd + 1, min: 2, max: 2),
            minuteEnd < body.count, body[minuteEnd] == UInt8(ascii: ":"),
            let end = clockSeconds(body, from: minuteEnd + 1), end == body.count
        else { return nil }
        fields[hours] = index..<hourEnd
        fields[minutes] = (hourEnd + 1)..<minuteEnd
        fields[seconds] = (minuteEnd + 1)..<end
        return fields
    }

    /// Format 4: `d:hh:mm:ss` or `d-hh:mm:ss`.
    static func dayClock(_ body: UnsafeBufferPointer<UInt8>) -> Fields? {
        guard let dayEnd = digits(body, from: 0, min: 1, max: Int.max), dayEnd < body.count,
            body[dayEnd] == UInt8(ascii: ":") || body[dayEnd] == UInt8(ascii: "-"),
            let hourEnd = digits(body, from: dayEnd + 1, min: 2, max: 2), hourEnd < body.count,
            body[hourEnd] == UInt8(ascii: ":"),
            let minuteEnd = digits(body, from: hourEnd + 1, min: 2, max: 2),
            minuteEnd < body.count, body[minuteEnd] == UInt8(ascii: ":"),
            let end = clockSeconds(body, from: minuteEnd + 1), end == body.count
        else { return nil }
        return [nil, 0..<dayEnd, (dayEnd + 1)..<hourEnd, (hourEnd + 1)..<minuteEnd, (minuteEnd + 1)..<end]
    }

    /// Format 5: `:ss`.
    static func secondClock(_ body: UnsafeBufferPointer<UInt8>) -> Fields? {
        guard body.count > 0, body[0] == UInt8(ascii: ":"), let end = clockSeconds(body, from: 1),
            end == body.count
        else { return nil }
        return [nil, nil, nil, nil, 1..<end]
    }

    // MARK: Pieces

    private static func skipSpaces(_ body: UnsafeBufferPointer<UInt8>, _ start: Int) -> Int {
        var index = start
        while index < body.count, isSpace(body[index]) { index += 1 }
        return index
    }

    /// The end of a run of `min...max` digits at `start` (greedy; a longer run fails).
    private static func digits(_ body: UnsafeBufferPointer<UInt8>, from start: Int, min: Int, max: Int)
        -> Int?
    {
        var index = start
        while index < body.count, isDigit(body[index]) { index += 1 }
        let count = index - start
        return count >= min && count <= max ? index : nil
    }

    /// `\d{2}(\.\d+)?` at `start`: the end of the seconds of a clock.
    private static func clockSeconds(_ body: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        guard start + 2 <= body.count, isDigit(body[start]), isDigit(body[start + 1]) else { return nil }
        var index = start + 2
        if index < body.count, body[index] == UInt8(ascii: "."),
            let end = digits(body, from: index + 1, min: 1, max: Int.max)
        {
            index = end
        }
        return index
    }
}
