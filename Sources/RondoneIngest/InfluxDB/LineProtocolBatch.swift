public import RondoneTimeSeries

/// The points of one InfluxDB write, decoded and grouped the way Gnocchi stores them:
/// per resource (the value of the resource tag), per metric name
/// (`<measurement>.<field>@<tag>=<value>,…`), each metric's ``Measures`` ready to become
/// an incoming store's batch as they are once the metric has an id.
public struct LineProtocolBatch: Sendable {
    /// One metric's points, in the order the lines gave them.
    public struct Series: Sendable, Equatable {
        /// Index into `resources`.
        public var resource: Int
        /// Gnocchi's metric name, `/` already replaced by `_`.
        public var metricName: String
        /// The points, in line order.
        public var measures: Measures
    }

    /// Resource names (the resource tag's values), in first-seen order.
    public var resources: [String] = []
    /// Every metric of every resource, in first-seen order.
    public var series: [Series] = []

    /// Points over all series.
    public var pointCount: Int { series.reduce(0) { $0 + $1.measures.count } }

    public init() {}
}

/// Why a line-protocol body was refused, with Gnocchi's 400 description
/// (`{"cause": "Value error", "detail": …, "reason": …}`).
public enum LineProtocolError: Error, Equatable, Sendable {
    /// The line (1-based, blank lines counted) does not follow the line protocol.
    case unparsableLine(Int)
    /// A line has no tag naming its resource.
    case missingResourceTag(String)

    /// Gnocchi's `cause`.
    public var cause: String { "Value error" }

    /// Gnocchi's `detail`: the thing that was wrong.
    public var detail: String {
        switch self {
        case .unparsableLine: "line"
        case .missingResourceTag: "key"
        }
    }

    /// Gnocchi's `reason`.
    public var reason: String {
        switch self {
        case .unparsableLine(let line): "Unable to parse line \(line)"
        case .missingResourceTag(let tag): "Unable to find key `\(tag)' in tags"
        }
    }
}

/// The unit of the time stamps of a write (`precision=`), nanoseconds by default.
public enum LineProtocolPrecision: Sendable, Equatable {
    case nanoseconds, microseconds, milliseconds, seconds, minutes, hours

    /// InfluxDB's names: `n` (or `ns`), `u` (or `us`, `µ`), `ms`, `s`, `m`, `h`.
    public init?(parameter: String) {
        switch parameter {
        case "n", "ns": self = .nanoseconds
        case "u", "us", "µ", "µs": self = .microseconds
        case "ms": self = .milliseconds
        case "s": self = .seconds
        case "m": self = .minutes
        case "h": self = .hours
        default: return nil
        }
    }

    /// Nanoseconds in one unit.
    public var nanoseconds: Int64 {
        switch self {
        case .nanoseconds: 1
        case .microseconds: 1_000
        case .milliseconds: 1_000_000
        case .seconds: 1_000_000_000
        case .minutes: 60_000_000_000
        case .hours: 3_600_000_000_000
        }
    }
}
