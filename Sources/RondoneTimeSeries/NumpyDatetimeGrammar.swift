/// What numpy's `datetime64` string parser makes of one string, the grammar Gnocchi
/// relies on for ISO 8601 measure timestamps and `start`/`stop` parameters.
enum NumpyDatetimeOutcome: Equatable {
    /// A time, in nanoseconds since the epoch (it may be negative).
    case instant(Int64)
    /// `""` or `"NaT"`: numpy's "not a time", which Gnocchi accepts.
    case notATime
    /// A valid date beyond `datetime64[ns]`'s range (numpy would wrap around).
    case outOfRange(beforeEpoch: Bool)
    /// Not a numpy datetime string.
    case invalid
}

/// A parser for exactly the strings numpy 2.x `datetime64` accepts, over UTF-8 bytes.
///
/// The grammar, probed against the numpy Gnocchi 4.7 runs on:
/// `[ws]* [+-]? year ( -MM ( -DD ( [T ] hh ( :mm ( :ss ( .f{0,18} )? )? )? [Z | ±hh(:?mm)?]? [ws]* )? )? )?`
/// where a date without a time allows no trailing text at all, month/day/hour/minute/second
/// are exactly two digits (hour ≤ 23, second ≤ 59: no `24:00`, no leap second), `T` and `Z`
/// are upper case only, the offset hour is < 24 and the minute < 60. The whole string
/// `""` or `nat` (any case) is NaT; `now` and `today` (any case, no surrounding space) are
/// the current second and the current UTC day. Fraction digits past the nanosecond are
/// dropped (a floor, as numpy's conversion to `[ns]`). A bare year never reaches this parser
/// in Gnocchi (it is a number first), but is accepted here as numpy does.
enum NumpyDatetimeGrammar {
    @inline(__always)
    static func isSpace(_ byte: UInt8) -> Bool {
        // C `isspace` in the "C" locale: space, \t, \n, \v, \f, \r.
        byte == 0x20 || (byte >= 0x09 && byte <= 0x0D)
    }

    @inline(__always)
    static func digit(_ byte: UInt8) -> Int? {
        let value = byte &- 0x30
        return value < 10 ? Int(value) : nil
    }

    /// The special words are compared against the whole input, as numpy does before it
    /// skips any white space.
    static func specialWord(_ bytes: UnsafeBufferPointer<UInt8>, now: Timestamp) -> NumpyDatetimeOutcome? {
        func matches(_ word: StaticString) -> Bool {
            guard bytes.count == word.utf8CodeUnitCount else { return false }
            let letters = word.utf8Start
            for index in 0..<bytes.count where bytes[index] | 0x20 != letters[index] {
                return false
            }
            return true
        }
        if bytes.isEmpty || matches("nat") { return .notATime }
        if matches("now") { return .instant(floorToMultiple(now.nanoseconds, 1_000_000_000)) }
        if matches("today") { return .instant(floorToMultiple(now.nanoseconds, 86_400_000_000_000)) }
        return nil
    }

    /// Parses `bytes` with numpy's rules; `now` serves `now` and `today`.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, now: Timestamp) -> NumpyDatetimeOutcome {
        if let special = specialWord(bytes, now: now) { return special }
        var cursor = Cursor(bytes: bytes)
        while let byte = cursor.peek, isSpace(byte) { cursor.index += 1 }

        let negativeYear = cursor.peek == UInt8(ascii: "-")
        if negativeYear || cursor.peek == UInt8(ascii: "+") { cursor.index += 1 }
        var year: Int64 = 0
        var yearDigits = 0
        while let value = cursor.peek.flatMap(digit) {
            // Years past 10^12 are far outside any representable time; stop growing.
            if year < 1_000_000_000_000 { year = year * 10 + Int64(value) }
            yearDigits += 1
            cursor.index += 1
        }
        guard yearDigits > 0 else { return .invalid }
        if negativeYear { year = -year }

        var month = 1
        var day = 1
        var secondOfDay: Int64 = 0
        var fraction: Int64 = 0
        var offsetSeconds: Int64 = 0
        if !cursor.atEnd {
            guard cursor.take(UInt8(ascii: "-")), let mm = cursor.twoDigits(), (1...12).contains(mm) else {
                return .invalid
            }
            month = mm
            if !cursor.atEnd {
                guard cursor.take(UInt8(ascii: "-")), let dd = cursor.twoDigits(),
                    dd >= 1, dd <= CivilCalendar.daysInMonth(month, year: year)
                else { return .invalid }
                day = dd
                if !cursor.atEnd {
                    guard let time = parseTime(&cursor) else { return .invalid }
                    (secondOfDay, fraction, offsetSeconds) = time
                }
            }
        }
        return combine(year: year, month: month, day: day, secondOfDay: secondOfDay - offsetSeconds, fraction)
    }

    /// The part after the date: separator, time of day, fraction, offset, trailing space.
    private static func parseTime(_ cursor: inout Cursor) -> (Int64, Int64, Int64)? {
        // numpy insists on something after the separator.
        guard cursor.remaining > 1, cursor.take(UInt8(ascii: "T")) || cursor.take(UInt8(ascii: " ")) else {
            return nil
        }
        guard let hour = cursor.twoDigits(), hour < 24 else { return nil }
        var seconds = Int64(hour) * 3600
        var fraction: Int64 = 0
        if cursor.take(UInt8(ascii: ":")) {
            guard let minute = cursor.twoDigits(), minute < 60 else { return nil }
            seconds += Int64(minute) * 60
            if cursor.take(UInt8(ascii: ":")) {
                guard let second = cursor.twoDigits(), second < 60 else { return nil }
                seconds += Int64(second)
                if cursor.take(UInt8(ascii: ".")) {
                    var digits = 0
                    while digits < 18, let value = cursor.peek.flatMap(digit) {
                        if digits < 9 { fraction = fraction * 10 + Int64(value) }
                        digits += 1
                        cursor.index += 1
                    }
                    for _ in min(digits, 9)..<9 { fraction *= 10 }
                }
            }
        }
        var offset: Int64 = 0
        if cursor.take(UInt8(ascii: "Z")) {
            // UTC.
        } else if let sign = cursor.peek, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
            cursor.index += 1
            guard let offsetHour = cursor.twoDigits(), offsetHour < 24 else { return nil }
            var offsetMinute = 0
            if !cursor.atEnd {
                _ = cursor.take(UInt8(ascii: ":"))
                guard let minute = cursor.twoDigits(), minute < 60 else { return nil }
                offsetMinute = minute
            }
            offset = Int64(offsetHour * 3600 + offsetMinute * 60)
            if sign == UInt8(ascii: "-") { offset = -offset }
        }
        while let byte = cursor.peek, isSpace(byte) { cursor.index += 1 }
        return cursor.atEnd ? (seconds, fraction, offset) : nil
    }

    /// Nanoseconds since the epoch, or out of range if they do not fit in an `Int64`.
    private static func combine(
        year: Int64, month: Int, day: Int, secondOfDay: Int64, _ fraction: Int64
    ) -> NumpyDatetimeOutcome {
        // ±300,000 years keeps the day arithmetic exact and is far outside the ns range.
        guard year > -300_000, year < 300_000 else { return .outOfRange(beforeEpoch: year < 0) }
        let seconds = CivilCalendar.days(year: year, month: month, day: day) * 86_400 + secondOfDay
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        let (nanoseconds, overflow2) = scaled.addingReportingOverflow(fraction)
        if overflow || overflow2 || nanoseconds == Int64.min { return .outOfRange(beforeEpoch: seconds < 0) }
        return .instant(nanoseconds)
    }
}

/// A read position in a byte buffer, for the hand-written parsers.
struct Cursor {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0

    @inline(__always) var atEnd: Bool { index >= bytes.count }
    @inline(__always) var remaining: Int { bytes.count - index }
    @inline(__always) var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    /// Consumes `byte` if it is next.
    @inline(__always)
    mutating func take(_ byte: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    /// Consumes exactly two ASCII digits.
    @inline(__always)
    mutating func twoDigits() -> Int? {
        guard remaining >= 2 else { return nil }
        let high = bytes[index] &- 0x30
        let low = bytes[index + 1] &- 0x30
        guard high < 10, low < 10 else { return nil }
        index += 2
        return Int(high) * 10 + Int(low)
    }
}
