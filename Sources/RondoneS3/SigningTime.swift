#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A UTC instant to the second, in the two forms SigV4 puts in a request:
/// `20130524T000000Z` (`x-amz-date`) and `20130524` (the credential scope).
///
/// Read from the real-time clock directly and formatted here (no `Date`, no calendar):
/// every attempt of a request is signed anew with the time it is sent.
struct SigningTime: Sendable, Equatable {
    var secondsSinceEpoch: Int64

    init(secondsSinceEpoch: Int64) {
        self.secondsSinceEpoch = secondsSinceEpoch
    }

    static func now() -> SigningTime {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return SigningTime(secondsSinceEpoch: Int64(spec.tv_sec))
    }

    /// `YYYYMMDD'T'HHMMSS'Z'`.
    var amzDate: String {
        let (year, month, day) = civil
        let second = secondsSinceEpoch - Self.floorDivide(secondsSinceEpoch, 86_400) * 86_400
        return Self.digits(year, 4) + Self.digits(month, 2) + Self.digits(day, 2) + "T"
            + Self.digits(second / 3600, 2) + Self.digits(second / 60 % 60, 2) + Self.digits(second % 60, 2)
            + "Z"
    }

    /// `YYYYMMDD`.
    var dateStamp: String {
        let (year, month, day) = civil
        return Self.digits(year, 4) + Self.digits(month, 2) + Self.digits(day, 2)
    }

    /// Year, month and day of the proleptic Gregorian calendar (Howard Hinnant's
    /// `civil_from_days`).
    private var civil: (Int64, Int64, Int64) {
        let z = Self.floorDivide(secondsSinceEpoch, 86_400) + 719_468
        let era = Self.floorDivide(z, 146_097)
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static func floorDivide(_ a: Int64, _ b: Int64) -> Int64 {
        a >= 0 ? a / b : -((-a + b - 1) / b)
    }

    private static func digits(_ value: Int64, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }
}
