extension TimeDelta {
    /// Appends Python's `str(datetime.timedelta(seconds=s))` for `s` = this span in float
    /// seconds, as Gnocchi renders archive-policy granularities and timespans: `0:00:01`,
    /// `0:05:00`, `1 day, 0:00:00`, `365 days, 0:00:00`, `0:00:00.500000`; negative spans
    /// as Python does (`-1 day, 23:59:59`). Precision is Python's: whole microseconds,
    /// rounded half to even from the float seconds.
    public func format(into buffer: inout [UInt8]) {
        // timedelta(seconds=x) splits x with modf, keeps the whole seconds exactly and rounds
        // only the fraction's microseconds (half to even), so the float error stays small.
        let (seconds, fraction) = Timestamp.pythonDatetimeParts(nanoseconds)
        let totalMicroseconds = seconds * 1_000_000 + fraction
        let microseconds = totalMicroseconds - floorDivide(totalMicroseconds, 1_000_000) * 1_000_000
        let totalSeconds = floorDivide(totalMicroseconds, 1_000_000)
        let days = floorDivide(totalSeconds, 86_400)
        let secondOfDay = totalSeconds - days * 86_400
        if days != 0 {
            Timestamp.appendDigits(days, width: 1, into: &buffer)
            buffer.append(contentsOf: (days == 1 || days == -1 ? " day, " : " days, ").utf8)
        }
        Timestamp.appendDigits(secondOfDay / 3600, width: 1, into: &buffer)
        buffer.append(UInt8(ascii: ":"))
        Timestamp.appendDigits(secondOfDay / 60 % 60, width: 2, into: &buffer)
        buffer.append(UInt8(ascii: ":"))
        Timestamp.appendDigits(secondOfDay % 60, width: 2, into: &buffer)
        if microseconds != 0 {
            buffer.append(UInt8(ascii: "."))
            Timestamp.appendDigits(microseconds, width: 6, into: &buffer)
        }
    }

    /// The rendering of `format(into:)` as a `String`.
    public var formatted: String {
        var buffer: [UInt8] = []
        format(into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }
}
