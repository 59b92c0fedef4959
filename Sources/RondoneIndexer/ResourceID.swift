import RondoneTimeSeries

/// The identity of a resource: a UUID, of a type of its own so that a resource id is
/// never passed where a metric id is expected (the two share only their text form).
///
/// Ids the client gives that are not UUIDs are mapped to one by the API (Gnocchi's
/// uuid5 of the id and its creator); the index only ever sees the UUID.
public struct ResourceID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The first 8 bytes of the UUID read as a big-endian integer.
    public var high: UInt64
    /// The last 8 bytes of the UUID read as a big-endian integer.
    public var low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// Parses a UUID's text (hyphenated or 32 hex digits, either case); nil otherwise.
    public init?(_ text: some StringProtocol) {
        guard let uuid = MetricID(text) else { return nil }
        self.init(high: uuid.high, low: uuid.low)
    }

    /// The canonical text form (lower-case, hyphenated), as Gnocchi prints UUIDs.
    public var description: String { MetricID(high: high, low: low).description }

    public static func < (lhs: ResourceID, rhs: ResourceID) -> Bool {
        (lhs.high, lhs.low) < (rhs.high, rhs.low)
    }
}
