/// Reads the timestamps of one measures body (`POST /v1/metric/<id>/measures` or a batch
/// entry) the way Gnocchi's `to_timestamps` reads a list: the FIRST element decides how
/// every element is read.
///
/// * First element a number (or a numeric string): every element is epoch seconds; an ISO
///   or relative string later in the list fails.
/// * First element an ISO 8601 string (numpy's grammar, including `now`): every string is
///   ISO 8601 and a JSON integer counts nanoseconds (numpy's cast); a float fails.
/// * First element a relative string (`"-5 minutes"`): every element is an offset from
///   `now`; numbers count seconds.
///
/// Feed the elements in order; each call throws the error Gnocchi would report for the list.
public struct TimestampListParser: Sendable {
    /// How the list is read, settled by its first element.
    public enum Mode: Sendable, Equatable {
        case epochSeconds, iso8601, relative
    }

    /// The mode, once the first element has been seen.
    public private(set) var mode: Mode?
    /// The time relative forms count from (Gnocchi: the request's `utcnow()`).
    public let now: Timestamp

    public init(now: Timestamp) {
        self.now = now
    }

    /// An element given as a JSON string.
    public mutating func parse(string bytes: some Collection<UInt8>) throws(TimestampError) -> Timestamp {
        let now = self.now
        let mode = self.mode
        let result: (Result<Timestamp, TimestampError>, Mode?) =
            bytes.withContiguousStorageIfAvailable { Self.parseString($0, mode: mode, now: now) }
            ?? Array(bytes).withUnsafeBufferPointer { Self.parseString($0, mode: mode, now: now) }
        if self.mode == nil { self.mode = result.1 }
        return try result.0.get()
    }

    /// An element given as a JSON number with a fraction or exponent.
    public mutating func parse(number: Double) throws(TimestampError) -> Timestamp {
        switch mode ?? .epochSeconds {
        case .epochSeconds:
            mode = .epochSeconds
            return try Timestamp(epochSeconds: number)
        case .iso8601: throw .unableToConvert
        case .relative: return try Self.offset(seconds: number, now: now)
        }
    }

    /// An element given as a JSON integer (or a boolean, as 1 or 0).
    public mutating func parse(integer: Int64) throws(TimestampError) -> Timestamp {
        switch mode ?? .epochSeconds {
        case .epochSeconds:
            mode = .epochSeconds
            return try Timestamp(epochSeconds: Double(integer))
        case .iso8601:
            guard integer >= 0 else { throw .beforeEpoch }
            return Timestamp(nanoseconds: integer)
        case .relative: return try Self.offset(seconds: Double(integer), now: now)
        }
    }

    private static func offset(seconds: Double, now: Timestamp) throws(TimestampError) -> Timestamp {
        guard let offset = try? TimeDelta(timespanSeconds: seconds, allowNonPositive: true) else {
            throw .unableToConvert
        }
        return try Timestamp.offsetting(now, by: offset).get()
    }

    private static func parseString(
        _ buffer: UnsafeBufferPointer<UInt8>, mode: Mode?, now: Timestamp
    ) -> (Result<Timestamp, TimestampError>, Mode?) {
        switch mode {
        case nil:
            if let seconds = PythonFloatGrammar.parse(buffer) {
                return (
                    Result { () throws(TimestampError) in try Timestamp(epochSeconds: seconds) },
                    .epochSeconds
                )
            }
            if let instant = Timestamp.parseISO(buffer, now: now) { return (instant, .iso8601) }
            let relative = Timestamp.relative(buffer, now: now)
            return (relative, .relative)
        case .epochSeconds:
            guard let seconds = PythonFloatGrammar.parse(buffer) else {
                return (.failure(.unableToConvert), mode)
            }
            return (Result { () throws(TimestampError) in try Timestamp(epochSeconds: seconds) }, mode)
        case .iso8601:
            return (Timestamp.parseISO(buffer, now: now) ?? .failure(.unableToConvert), mode)
        case .relative:
            return (Timestamp.relative(buffer, now: now), mode)
        }
    }
}
