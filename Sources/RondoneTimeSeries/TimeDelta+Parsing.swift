/// Why a timespan was refused, with Gnocchi's message for each case.
public enum TimespanError: Error, Equatable, Sendable {
    /// Neither a number nor a duration pytimeparse understands.
    case unableToParse
    /// Zero or negative where Gnocchi wants a positive span (granularity, timespan).
    case notPositive
    /// `nan` as a number of seconds.
    case notANumber
    /// A span that does not fit in 64-bit nanoseconds (Gnocchi fails with a 500 there).
    case outOfRange

    /// Gnocchi's message, as it appears in its 400 responses.
    public var message: String {
        switch self {
        case .unableToParse: "Unable to parse timespan"
        case .notPositive: "Timespan must be positive"
        case .notANumber: "cannot convert float NaN to integer"
        case .outOfRange: "Timespan out of range"
        }
    }
}

extension TimeDelta {
    /// A timespan given as a number of seconds (a JSON number), as Gnocchi's `to_timespan`
    /// converts it: `seconds * 10e8` as a float product, truncated toward zero.
    ///
    /// - Parameter allowNonPositive: `false` for granularities and timespans (which must be
    ///   positive); `true` for offsets such as relative timestamps.
    public init(timespanSeconds seconds: Double, allowNonPositive: Bool = false) throws(TimespanError) {
        try self.init(product: seconds * 1e9, allowNonPositive: allowNonPositive)
    }

    /// A timespan given as text: a number of seconds (`"300"`, `"0.5"`, `"1e3"`) or a
    /// pytimeparse duration (`"5min"`, `"1 hour"`, `"1d12h"`, `"0:05:00"`, `"-10 seconds"`),
    /// exactly as Gnocchi's `to_timespan` reads archive-policy definitions and the
    /// `granularity` and `resample` query parameters.
    public init(parsingTimespan bytes: some Collection<UInt8>, allowNonPositive: Bool = false)
        throws(TimespanError)
    {
        let parsed: Result<ParsedSeconds, TimespanError> =
            bytes.withContiguousStorageIfAvailable(Self.seconds(of:))
            ?? Array(bytes).withUnsafeBufferPointer(Self.seconds(of:))
        try self.init(product: parsed.get().nanosecondsProduct, allowNonPositive: allowNonPositive)
    }

    /// `TimeDelta(parsingTimespan:)` for a `String`.
    public static func parseTimespan(_ string: String, allowNonPositive: Bool = false) throws(TimespanError)
        -> TimeDelta
    {
        try TimeDelta(parsingTimespan: string.utf8, allowNonPositive: allowNonPositive)
    }

    /// Python `float(value)` first, pytimeparse second: the order `to_timespan` tries.
    static func seconds(of bytes: UnsafeBufferPointer<UInt8>) -> Result<ParsedSeconds, TimespanError> {
        if let number = PythonFloatGrammar.parse(bytes) { return .success(.real(number)) }
        if let duration = RelativeTimeGrammar.parse(bytes) { return .success(duration) }
        return .failure(.unableToParse)
    }

    /// Truncates Gnocchi's float product `seconds * 10e8` to whole nanoseconds.
    init(product: Double, allowNonPositive: Bool) throws(TimespanError) {
        guard !product.isNaN else { throw .notANumber }
        // Exactly representable bounds of Int64: -2^63 fits, 2^63 does not.
        guard product >= -9_223_372_036_854_775_808.0, product < 9_223_372_036_854_775_808.0 else {
            throw .outOfRange
        }
        let nanoseconds = Int64(product)
        guard allowNonPositive || nanoseconds > 0 else { throw .notPositive }
        self.init(nanoseconds: nanoseconds)
    }
}
