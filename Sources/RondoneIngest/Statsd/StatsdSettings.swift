public import RondoneIndexer

/// The statsd listener's settings, named after Gnocchi's `[statsd]` section and with its
/// defaults (`rondone serve --statsd-port …` and `rondone statsd` share them).
public struct StatsdSettings: Sendable {
    /// The address to listen on (Gnocchi: `0.0.0.0`).
    public var host: String
    /// The UDP port (Gnocchi: 8125; 0 picks a free one).
    public var port: Int
    /// The `generic` resource the metrics belong to (created on first sight).
    public var resourceID: ResourceID
    /// The resource's and metrics' creator (Gnocchi: none); also the user the forwarder
    /// authenticates as.
    public var creator: String?
    /// The archive policy of new metrics; `nil`: the archive policy rule matching the
    /// metric's name (Gnocchi's default).
    public var archivePolicyName: String?
    /// Seconds between two flushes (Gnocchi: 10).
    public var flushDelay: Double
    /// `+N`/`-N` gauges change the last value (statsd's convention) instead of being the
    /// values N and -N (Gnocchi's).
    public var gaugeDeltas: Bool

    public init(
        host: String = "0.0.0.0", port: Int = 8125, resourceID: ResourceID, creator: String? = nil,
        archivePolicyName: String? = nil, flushDelay: Double = 10, gaugeDeltas: Bool = false
    ) {
        self.host = host
        self.port = port
        self.resourceID = resourceID
        self.creator = creator
        self.archivePolicyName = archivePolicyName
        self.flushDelay = flushDelay
        self.gaugeDeltas = gaugeDeltas
    }

    /// A resource id as Gnocchi's `[statsd] resource_id` (Python's `uuid.UUID`) accepts
    /// it: 32 hex digits, hyphens anywhere, an optional `urn:uuid:` prefix and braces.
    public static func resourceID(_ text: String) -> ResourceID? {
        var hex = Substring(text)
        if hex.hasPrefix("urn:") { hex = hex.dropFirst(4) }
        if hex.hasPrefix("uuid:") { hex = hex.dropFirst(5) }
        while hex.first == "{" { hex = hex.dropFirst() }
        while hex.last == "}" { hex = hex.dropLast() }
        let digits = hex.filter { $0 != "-" }
        guard digits.utf8.count == 32 else { return nil }
        return ResourceID(digits)
    }
}
