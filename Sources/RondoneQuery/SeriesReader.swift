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
/// * a corrupt split is reported to `onCorruptSplit` and fails the read with
///   ``CorruptSplit`` (the API answers a 500 naming the metric): a series missing a
///   damaged split's points would be served as if it were the data (Rondone's; Gnocchi
///   4.7 skips the split).
public struct SeriesReader: Sendable {
    /// Where the splits are.
    public let aggregates: any AggregateStore
    /// Told of each split that fails to decode, before the read fails (the composition
    /// counts and logs it).
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
    ///   method at that granularity; ``CorruptSplit`` when a stored split is damaged;
    ///   storage errors.
    public func read(_ request: SeriesRequest) async throws -> Series {
        let (target, range) = try plan(request)
        return try assemble(request, target, try await aggregates.splits(in: [range])[0])
    }

    /// The stored aggregation a request reads and the range of its splits.
    private func plan(_ request: SeriesRequest) throws -> (PolicyAggregation, SplitRange) {
        let granularity = request.granularity
        guard
            let target = request.policy.aggregations.first(where: {
                $0.aggregation == request.aggregation && $0.granularity == granularity
            })
        else {
            throw QueryError.aggregationDoesNotExist(
                metric: request.metric, method: request.aggregation.name, granularity: granularity)
        }
        let range = SplitRange(
            metric: request.metric, aggregation: target.aggregation.name, granularity: granularity,
            first: request.from.map { SplitKey(containing: $0, granularity: granularity).timestamp },
            last: request.to.map { SplitKey(containing: $0, granularity: granularity).timestamp })
        return (target, range)
    }

    /// The points of a request from its stored splits.
    private func assemble(_ request: SeriesRequest, _ target: PolicyAggregation, _ stored: [SplitBlob])
        throws(CorruptSplit) -> Series
    {
        let granularity = request.granularity
        var series = Series()
        for split in stored {
            let address = SplitAddress(
                aggregation: target.aggregation.name, granularity: granularity, key: split.key)
            do throws(CorruptSplit) {
                let points = try address.decode(split.bytes, of: request.metric)
                // Splits hold disjoint, increasing ranges, so appending keeps the order;
                // the first one is taken as is (one split is the common case: no copy).
                if series.isEmpty {
                    series = points
                } else {
                    series.timestamps.append(contentsOf: points.timestamps)
                    series.values.append(contentsOf: points.values)
                }
            } catch {
                onCorruptSplit(error)
                throw error
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

    /// Several series, in the order asked: their splits in one call to the store
    /// (``AggregateStore/splits(in:)``), decoded on up to ``concurrentReads`` tasks. An
    /// error is the one reading them one by one would have thrown first.
    public func read(_ requests: [SeriesRequest]) async throws -> [Series] {
        var targets: [PolicyAggregation] = []
        var ranges: [SplitRange] = []
        targets.reserveCapacity(requests.count)
        ranges.reserveCapacity(requests.count)
        for request in requests {
            let (target, range) = try plan(request)
            targets.append(target)
            ranges.append(range)
        }
        let stored = try await aggregates.splits(in: ranges)
        // Decoding is the work: a part per core-sized share, at least 64 series each.
        let parts = min(Self.concurrentReads, max(1, requests.count / 64))
        guard parts > 1 else {
            return try requests.indices.map { try assemble(requests[$0], targets[$0], stored[$0]) }
        }
        let size = (requests.count + parts - 1) / parts
        return try await withThrowingTaskGroup(of: DecodedPart.self) { group in
            for start in stride(from: 0, to: requests.count, by: size) {
                let part = start..<min(start + size, requests.count)
                group.addTask { [targets] in
                    DecodedPart(
                        start: start,
                        series: try part.map { try assemble(requests[$0], targets[$0], stored[$0]) })
                }
            }
            var series = [Series](repeating: Series(), count: requests.count)
            for try await decoded in group {
                for (offset, one) in decoded.series.enumerated() { series[decoded.start + offset] = one }
            }
            return series
        }
    }

    /// Decoded series from `start` on (a struct: see `OrderedConcurrentMap.Outcome`).
    private struct DecodedPart: Sendable {
        var start: Int
        var series: [Series]
    }
}
