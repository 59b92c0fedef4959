import RondoneStorage
import RondoneTimeSeries

/// Reads the stored aggregates of metrics straight from the aggregate store: the read
/// path of every API endpoint. It needs no metricd and takes no lock of its own, so a
/// process that only serves reads can use it (docs/READING.md).
///
/// Guarantees, as Gnocchi 4.7's `get_aggregated_measures` (no resampling):
/// * only splits whose key lies between the keys of `from` and `to` are read, in one
///   call to the store, and decoded split by split into one pair of contiguous arrays;
/// * the result is truncated to the series' timespan (points a resized policy no
///   longer keeps are not returned);
/// * `from` is rounded down to the granularity (Gnocchi's `round_timestamp`: a period
///   that started before `from` but covers it is returned) and inclusive; `to` is
///   exclusive and not rounded;
/// * a corrupt split is reported to `onCorruptSplit` and read as empty: one damaged
///   file never fails a read.
public struct SeriesReader: Sendable {
    /// Where the splits are.
    public let aggregates: any AggregateStore
    /// Told of each split that fails to decode (the composition counts and logs it).
    public let onCorruptSplit: @Sendable (CorruptSplit) -> Void

    /// How many series ``read(_:)-(SeriesRequest)`` reads at once for one request.
    public static let concurrentReads = 16

    public init(
        aggregates: any AggregateStore, onCorruptSplit: @escaping @Sendable (CorruptSplit) -> Void = { _ in }
    ) {
        self.aggregates = aggregates
        self.onCorruptSplit = onCorruptSplit
    }

    /// One series.
    ///
    /// - Throws: `QueryError.aggregationDoesNotExist` when the policy keeps no such
    ///   method at that granularity; storage errors.
    public func read(_ request: SeriesRequest) async throws -> Series {
        let granularity = request.granularity
        guard
            let target = request.policy.aggregations.first(where: {
                $0.aggregation == request.aggregation && $0.granularity == granularity
            })
        else {
            throw QueryError.aggregationDoesNotExist(
                metric: request.metric, method: request.aggregation.name, granularity: granularity)
        }
        let firstKey = request.from.map { SplitKey(containing: $0, granularity: granularity) }
        let lastKey = request.to.map { SplitKey(containing: $0, granularity: granularity) }
        let addresses = try await aggregates.splitKeys(
            of: request.metric, aggregation: target.aggregation.name, granularity: granularity
        )
        .map { SplitKey(timestamp: $0, granularity: granularity) }
        .filter { key in (firstKey.map { key >= $0 } ?? true) && (lastKey.map { key <= $0 } ?? true) }
        .map { SplitAddress(target, key: $0) }
        let stored = try await aggregates.splits(addresses, of: request.metric)
        var series = Series()
        for (address, bytes) in zip(addresses, stored) {
            guard let bytes else { continue }
            do throws(CorruptSplit) {
                let split = try address.decode(bytes, of: request.metric)
                // Splits hold disjoint, increasing ranges, so appending keeps the order;
                // the first one is taken as is (one split is the common case: no copy).
                if series.isEmpty {
                    series = split
                } else {
                    series.timestamps.append(contentsOf: split.timestamps)
                    series.values.append(contentsOf: split.values)
                }
            } catch {
                onCorruptSplit(error)
            }
        }
        if let timespan = target.timespan { series.truncate(timespan: timespan) }
        let start =
            request.from.map {
                series.lowerBound(roundTimestamp($0.nanoseconds, granularity: granularity.nanoseconds))
            } ?? 0
        let end = request.to.map { series.lowerBound($0.nanoseconds) } ?? series.count
        guard start < end else { return Series() }
        return start == 0 && end == series.count ? series : series.slice(start..<end)
    }

    /// One series, named by its parts.
    public func read(
        metric: MetricID, policy: ArchivePolicy, aggregation: Aggregation, granularity: TimeDelta,
        from: Timestamp? = nil, to: Timestamp? = nil
    ) async throws -> Series {
        try await read(
            SeriesRequest(
                metric: metric, policy: policy, aggregation: aggregation, granularity: granularity,
                from: from,
                to: to))
    }

    /// Several series, read concurrently (at most ``concurrentReads`` at a time), in the
    /// order asked; an error is the one reading them one by one would have thrown.
    public func read(_ requests: [SeriesRequest]) async throws -> [Series] {
        try await ConcurrentReads.run(requests, width: Self.concurrentReads) { try await read($0) }
    }
}
