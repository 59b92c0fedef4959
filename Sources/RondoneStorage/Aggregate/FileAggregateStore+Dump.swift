import RondoneTimeSeries

/// One live split pack of a metric in the aggregate log: its granularity and key, and
/// the methods it holds (nil when its header is damaged).
public struct StoredPackSummary: Sendable, Equatable {
    /// The granularity of every split in the pack.
    public var granularity: TimeDelta
    /// The split key (the first time stamp of the splits).
    public var key: Timestamp
    /// The method names it holds, in ascending byte order; nil for a damaged header.
    public var methods: [String]?

    /// A summary of one pack.
    public init(granularity: TimeDelta, key: Timestamp, methods: [String]?) {
        self.granularity = granularity
        self.key = key
        self.methods = methods
    }
}

// Listing what the log holds (`rondone dump`): the engine only ever asks for the
// splits its archive policy names, a dump wants all of them.
extension FileAggregateStore {
    /// Every metric with a live buffer or split pack, sorted.
    public func storedMetrics() -> [MetricID] {
        state.withLock { Array($0.index.metrics.keys) }.sorted()
    }

    /// The metric's live packs, sorted by granularity and key, each read once for the
    /// names of its methods (read them with `splits(_:of:)` and `buffer(of:)`).
    public func storedPacks(of metric: MetricID) async throws -> [StoredPackSummary] {
        let packs: [(entry: PackEntry, segment: LogSegment)] = state.withLock { state in
            (state.index.metrics[metric]?.packs ?? []).compactMap { entry in
                state.segments[entry.location.segment].map { (entry: entry, segment: $0) }
            }
        }
        guard !packs.isEmpty else { return [] }
        return try await io.run {
            try packs.map { pack in
                let content = PackContent(try self.readBlob(pack.segment, pack.entry.location))
                return StoredPackSummary(
                    granularity: TimeDelta(nanoseconds: pack.entry.granularity),
                    key: Timestamp(nanoseconds: pack.entry.key),
                    methods: content.pack.map { pack in
                        pack.records.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
                    })
            }
        }
    }
}
