extension Timestamp {
    /// How much of a timestamp a rendering keeps; the offset is always `+00:00`.
    public enum FormatStyle: Sendable {
        /// `2014-10-06T14:33:57+00:00`: whole seconds, the fraction dropped (a floor). This is
        /// how Gnocchi renders every measure timestamp (`datetime_as_string(unit='s')`), even
        /// for sub-second granularities.
        case measure
        /// `2014-10-06T14:33:57.123457+00:00`: Python's `datetime.isoformat()` after Gnocchi's
        /// conversion to `datetime` (nanoseconds → float seconds → microseconds, rounded half
        /// to even), six fraction digits only when the microseconds are not zero. This is how
        /// Gnocchi renders resource times (`started_at`, `revision_start`, …).
        case datetime
        /// `2014-10-06T14:33:57.123456789+00:00`: nine fraction digits when the nanoseconds are
        /// not zero; loses nothing, reads back to the same value.
        case nanoseconds
    }

    /// Appends the ISO 8601 rendering of this time in `style` to `buffer`, allocating
    /// nothing beyond the buffer's growth.
    public func format(into buffer: inout [UInt8], style: FormatStyle = .measure) {
        var seconds = floorDivide(nanoseconds, 1_000_000_000)
        var fraction = nanoseconds - seconds * 1_000_000_000
        var digits = 9
        switch style {
        case .measure:
            fraction = 0
        case .nanoseconds:
            break
        case .datetime:
            (seconds, fraction) = Self.pythonDatetimeParts(nanoseconds)
            digits = 6
        }
        let days = floorDivide(seconds, 86_400)
        let secondOfDay = Int64(seconds - days * 86_400)
        let date = CivilCalendar.date(days: days)
        // Built on the stack and appended in one copy: per-byte appends cost a capacity
        // check each.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 48) { text in
            var end = 0
            if date.year < 0 { text[end] = UInt8(ascii: "-"); end += 1 }
            var year = date.year.magnitude
            // Years past 9999 (not representable in nanoseconds anyway) keep all digits.
            var width = 4
            while year >= 10_000 { width += 1; year /= 10 }
            Self.put(Int64(date.year.magnitude), width: width, into: text, at: &end)
            text[end] = UInt8(ascii: "-"); end += 1
            Self.put(Int64(date.month), width: 2, into: text, at: &end)
            text[end] = UInt8(ascii: "-"); end += 1
            Self.put(Int64(date.day), width: 2, into: text, at: &end)
            text[end] = UInt8(ascii: "T"); end += 1
            Self.put(secondOfDay / 3600, width: 2, into: text, at: &end)
            text[end] = UInt8(ascii: ":"); end += 1
            Self.put(secondOfDay / 60 % 60, width: 2, into: text, at: &end)
            text[end] = UInt8(ascii: ":"); end += 1
            Self.put(secondOfDay % 60, width: 2, into: text, at: &end)
            if fraction != 0 {
                text[end] = UInt8(ascii: "."); end += 1
                Self.put(fraction, width: digits, into: text, at: &end)
            }
            for byte in "+00:00".utf8 { text[end] = byte; end += 1 }
            buffer.append(contentsOf: UnsafeBufferPointer(rebasing: text[0..<end]))
        }
    }

    /// Writes `value` (≥ 0, fewer than `width` + 1 digits) as exactly `width` digits.
    @inline(__always)
    static func put(
        _ value: Int64, width: Int, into text: UnsafeMutableBufferPointer<UInt8>, at end: inout Int
    ) {
        var remaining = value
        var index = end + width - 1
        while index >= end {
            text[index] = UInt8(truncatingIfNeeded: remaining % 10) &+ 0x30
            remaining /= 10
            index -= 1
        }
        end += width
    }

    /// The ISO 8601 rendering of this time in `style` (see `format(into:style:)`).
    public func formatted(_ style: FormatStyle = .measure) -> String {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(35)
        format(into: &buffer, style: style)
        return String(decoding: buffer, as: UTF8.self)
    }

    /// This time at the precision Gnocchi keeps for `datetime` fields: what
    /// `.datetime` renders, as a timestamp (whole microseconds).
    public var roundedToDatetimePrecision: Timestamp {
        let (seconds, microseconds) = Self.pythonDatetimeParts(nanoseconds)
        return Timestamp(nanoseconds: seconds * 1_000_000_000 + microseconds * 1000)
    }

    /// Whole seconds and microseconds of `utcfromtimestamp(ns / 10e8)`: the float quotient,
    /// split with `modf`, microseconds rounded half to even, carried into the seconds.
    static func pythonDatetimeParts(_ nanoseconds: Int64) -> (seconds: Int64, microseconds: Int64) {
        let value = Double(nanoseconds) / 1e9
        let whole = value.rounded(.towardZero)
        var microseconds = Int64(((value - whole) * 1e6).rounded(.toNearestOrEven))
        var seconds = Int64(whole)
        if microseconds >= 1_000_000 {
            microseconds -= 1_000_000
            seconds += 1
        } else if microseconds < 0 {
            microseconds += 1_000_000
            seconds -= 1
        }
        return (seconds, microseconds)
    }

    /// `value` in decimal, left-padded with zeros to `width` (at most 24 digits, stack only).
    @inline(__always)
    static func appendDigits(_ value: Int64, width: Int, into buffer: inout [UInt8]) {
        var magnitude = value.magnitude
        if value < 0 { buffer.append(UInt8(ascii: "-")) }
        var scratch: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &scratch) { raw in
            var used = 0
            repeat {
                raw[23 - used] = UInt8(truncatingIfNeeded: magnitude % 10) + 0x30
                magnitude /= 10
                used += 1
            } while magnitude > 0 && used < 24
            while used < width && used < 24 {
                raw[23 - used] = 0x30
                used += 1
            }
            buffer.append(contentsOf: raw[(24 - used)...])
        }
    }
}

/// `value / divisor` rounded toward negative infinity (`divisor` > 0).
@inline(__always)
func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
    let quotient = value / divisor
    return value % divisor < 0 ? quotient - 1 : quotient
}
