#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Why a timestamp was refused, with Gnocchi's message for each case.
public enum TimestampError: Error, Equatable, Sendable {
    /// Not a number, not an ISO 8601 time numpy accepts, not a relative time
    /// (Gnocchi: "Unable to convert timestamps").
    case unableToConvert
    /// A time before 1970-01-01T00:00:00Z (Gnocchi: "Timestamp must be after Epoch").
    case beforeEpoch
    /// numpy's "not a time": `""`, `"NaT"`, `"nan"`, `"inf"`, or epoch seconds past 2262.
    /// Gnocchi accepts these (202 for measures, which it then silently drops; an empty
    /// result for `start`/`stop`); the API layer decides how to mirror that.
    case notATime

    /// Gnocchi's message, as it appears in its 400 responses.
    public var message: String {
        switch self {
        case .unableToConvert: "Unable to convert timestamps"
        case .beforeEpoch: "Timestamp must be after Epoch"
        case .notATime: "Not a time"
        }
    }
}

extension Timestamp {
    /// The current time from the system's real-time clock (no Foundation).
    public static func now() -> Timestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Timestamp(nanoseconds: Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec))
    }

    /// Epoch seconds given as a JSON number, converted as Gnocchi does: the float product
    /// `seconds * 10e8`, truncated toward zero to whole nanoseconds (so `-1e-10` is the
    /// epoch itself and `1412606037.123456789` becomes `…037.123456768`).
    @inlinable
    public init(epochSeconds seconds: Double) throws(TimestampError) {
        let product = seconds * 1e9
        // numpy turns NaN, infinities and out-of-range floats into NaT (either sign).
        guard product > -9_223_372_036_854_775_808.0, product < 9_223_372_036_854_775_808.0 else {
            throw .notATime
        }
        let nanoseconds = Int64(product)
        guard nanoseconds >= 0 else { throw .beforeEpoch }
        self.init(nanoseconds: nanoseconds)
    }

    /// One timestamp given as text, as Gnocchi's `to_timestamp` reads a measure timestamp
    /// or a `start`/`stop` query parameter: epoch seconds if Python's `float()` accepts it
    /// (`"1412606037.5"`, `" 1e9 "`), else ISO 8601 as numpy accepts it
    /// (`"2014-10-06T14:33:57.123456789+02:00"`, `"2014-10-06 14:33"`, `"now"`), else a
    /// time relative to `now` (`"-1 hour"`, `"5 minutes"`, `"-1d12h"`).
    public init(parsing bytes: some Collection<UInt8>, now: Timestamp) throws(TimestampError) {
        let result =
            bytes.withContiguousStorageIfAvailable { Self.parse(buffer: $0, now: now) }
            ?? Array(bytes).withUnsafeBufferPointer { Self.parse(buffer: $0, now: now) }
        self = try result.get()
    }

    /// `Timestamp(parsing:now:)` without generics, for the hot path: a JSON decoder hands
    /// over the bytes of each string in place.
    public init(parsing buffer: UnsafeBufferPointer<UInt8>, now: Timestamp) throws(TimestampError) {
        self = try Self.parse(buffer: buffer, now: now).get()
    }

    /// `Timestamp(parsing:now:)` for a `String`.
    public static func parse(_ string: String, now: Timestamp) throws(TimestampError) -> Timestamp {
        var string = string
        return try string.withUTF8 { buffer in
            Result { () throws(TimestampError) in
                try parse(buffer: buffer, now: now).get()
            }
        }.get()
    }

    static func parse(buffer: UnsafeBufferPointer<UInt8>, now: Timestamp) -> Result<Timestamp, TimestampError>
    {
        if let seconds = PythonFloatGrammar.parse(buffer) {
            return Result { () throws(TimestampError) in try Timestamp(epochSeconds: seconds) }
        }
        if let instant = parseISO(buffer, now: now) { return instant }
        return relative(buffer, now: now)
    }

    /// The ISO 8601 reading, or nil when numpy would not accept the text.
    static func parseISO(_ buffer: UnsafeBufferPointer<UInt8>, now: Timestamp) -> Result<
        Timestamp, TimestampError
    >? {
        switch NumpyDatetimeGrammar.parse(buffer, now: now) {
        case .instant(let nanoseconds):
            return nanoseconds < 0 ? .failure(.beforeEpoch) : .success(Timestamp(nanoseconds: nanoseconds))
        case .notATime: return .failure(.notATime)
        // numpy wraps around here; Gnocchi's answer is then arbitrary, Rondone's is not.
        case .outOfRange(let beforeEpoch): return .failure(beforeEpoch ? .beforeEpoch : .unableToConvert)
        case .invalid: return nil
        }
    }

    /// `now` plus a pytimeparse offset (numbers count as seconds).
    static func relative(_ buffer: UnsafeBufferPointer<UInt8>, now: Timestamp) -> Result<
        Timestamp, TimestampError
    > {
        guard case .success(let seconds) = TimeDelta.seconds(of: buffer),
            let offset = try? TimeDelta(product: seconds.nanosecondsProduct, allowNonPositive: true)
        else { return .failure(.unableToConvert) }
        return offsetting(now, by: offset)
    }

    static func offsetting(_ now: Timestamp, by offset: TimeDelta) -> Result<Timestamp, TimestampError> {
        let (sum, overflow) = now.nanoseconds.addingReportingOverflow(offset.nanoseconds)
        if overflow { return .failure(offset.nanoseconds < 0 ? .beforeEpoch : .unableToConvert) }
        return sum < 0 ? .failure(.beforeEpoch) : .success(Timestamp(nanoseconds: sum))
    }
}
