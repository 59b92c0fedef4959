import RondoneTimeSeries

/// Where a split of a policy's aggregation is stored and how its bytes are decoded:
/// the one place both metricd (which merges new aggregates into stored splits) and the
/// read path (which concatenates them) turn a split key into an address and a stored
/// record back into points.
extension SplitAddress {
    /// The address of the split of `aggregation` that starts at `key`.
    public init(_ aggregation: PolicyAggregation, key: SplitKey) {
        self.init(aggregation: aggregation.aggregation.name, granularity: key.granularity, key: key.timestamp)
    }

    /// The points of the record stored at this address.
    ///
    /// The record does not repeat its split's start and granularity (they are the
    /// address), so only the address can decode it.
    ///
    /// - Throws: ``CorruptSplit`` when the record fails to decode (bad checksum,
    ///   truncated, unknown format): callers count and log it and read it as absent,
    ///   as Gnocchi 4.7 does.
    public func decode(_ bytes: [UInt8], of metric: MetricID) throws(CorruptSplit) -> Series {
        do throws(CodecError) {
            return try SplitCodec.decode(
                bytes, splitStart: key.nanoseconds, granularity: granularity.nanoseconds)
        } catch {
            throw CorruptSplit(metric: metric, address: self, error: error)
        }
    }
}

/// A stored split that failed to decode. The reader fails the read with it (the API
/// answers a 500 naming the metric; `rondone fsck` finds it); metricd replaces it with
/// the new aggregates; both count it and log `description`.
public struct CorruptSplit: Error, Sendable, CustomStringConvertible {
    public var metric: MetricID
    public var address: SplitAddress
    public var error: CodecError

    public init(metric: MetricID, address: SplitAddress, error: CodecError) {
        self.metric = metric
        self.address = address
        self.error = error
    }

    /// Gnocchi's log line for it.
    public var description: String {
        "Data corruption detected for \(metric) aggregated `\(address.aggregation)' timeserie, "
            + "granularity `\(address.granularity.seconds)' around time `\(address.key.nanoseconds)', "
            + "ignoring: \(error)"
    }
}
