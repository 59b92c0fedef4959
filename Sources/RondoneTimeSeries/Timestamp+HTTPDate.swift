/// HTTP dates (RFC 9110 §5.6.7): `Last-Modified`, `If-Modified-Since` and
/// `If-Unmodified-Since` of resources, in whole seconds.
extension Timestamp {
    private static let weekdays = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]
    private static let months = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ]

    /// `Sun, 06 Nov 1994 08:49:37 GMT` (IMF-fixdate), the fraction of a second dropped.
    public var httpDate: String {
        let seconds = floorDivide(nanoseconds, 1_000_000_000)
        let days = floorDivide(seconds, 86_400)
        let secondOfDay = seconds - days * 86_400
        let date = CivilCalendar.date(days: days)
        let weekday = Self.weekdays[Int(((days % 7) + 7) % 7)]
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(weekday), \(two(Int64(date.day))) \(Self.months[date.month - 1]) \(date.year) "
            + "\(two(secondOfDay / 3600)):\(two(secondOfDay / 60 % 60)):\(two(secondOfDay % 60)) GMT"
    }

    /// Reads an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`) or the obsolete RFC 850
    /// (`Sunday, 06-Nov-94 08:49:37 GMT`) and asctime (`Sun Nov  6 08:49:37 1994`)
    /// forms that recipients must accept; nil for anything else, and for years a
    /// nanosecond timestamp cannot hold (before 1678, after 2261).
    public init?(httpDate text: String) {
        let fields = text.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "-" }).map(String.init)
        var day: Int?
        var month: Int?
        var year: Int64?
        var clock: [Int64]?
        for field in fields {
            if let index = Self.months.firstIndex(of: field) {
                month = index + 1
            } else if field.contains(":") {
                let parts = field.split(separator: ":").compactMap { Int64($0) }
                guard parts.count == 3 else { return nil }
                clock = parts
            } else if let number = Int64(field) {
                if day == nil && field.count <= 2 && (year == nil || month != nil) {
                    day = Int(number)
                } else {
                    year = field.count == 2 ? (number < 70 ? 2000 + number : 1900 + number) : number
                }
            }
        }
        guard let day, let month, let year, let clock, (1678...2261).contains(year),
            (1...CivilCalendar.daysInMonth(month, year: year)).contains(day), clock[0] < 24, clock[1] < 60,
            clock[2] < 61
        else { return nil }
        let seconds =
            CivilCalendar.days(year: year, month: month, day: day) * 86_400 + clock[0] * 3600 + clock[1] * 60
            + clock[2]
        self.init(nanoseconds: seconds * 1_000_000_000)
    }
}
