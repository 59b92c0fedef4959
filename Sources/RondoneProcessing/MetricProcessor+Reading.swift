import RondoneStorage
import RondoneTimeSeries

extension MetricProcessor {
    /// The stored aggregates of one series of a metric, as Gnocchi 4.7's
    /// `get_aggregated_measures` returns them (no resampling).
    ///
    /// * Only splits whose key lies between the keys of `from` and `to` are read.
    /// * The concatenation is truncated to the series' timespan (so points a resized
    ///   policy no longer keeps are not returned).
    /// * `from` is rounded down to the granularity (Gnocchi's `round_timestamp`, so a
    ///   period that started before `from` but covers it is returned) and inclusive;
    ///   `to` is exclusive, not rounded.
    /// * A corrupt split is counted, logged and read as empty.
    ///
    /// - Throws: `ProcessingError.aggregationDoesNotExist` when the policy has no such
    ///   method at that granularity; storage errors.
    public func readAggregates(
        metric: MetricID, policy: ArchivePolicy, aggregation: Aggregation, granularity: TimeDelta,
        from: Timestamp? = nil, to: Timestamp? = nil
    ) async throws -> Series {
        guard
            let target = policy.aggregations.first(where: {
                $0.aggregation == aggregation && $0.granularity == granularity
            })
        else {
            throw ProcessingError.aggregationDoesNotExist(
                metric: metric, method: aggregation.name, granularity: granularity)
        }
        let firstKey = from.map { SplitKey(containing: $0, granularity: granularity) }
        let lastKey = to.map { SplitKey(containing: $0, granularity: granularity) }
        let keys = try await aggregates.splitKeys(
            of: metric, aggregation: aggregation.name, granularity: granularity
        )
        .map { SplitKey(timestamp: $0, granularity: granularity) }
        .filter { key in (firstKey.map { key >= $0 } ?? true) && (lastKey.map { key <= $0 } ?? true) }
        var series = Series()
        for key in keys {
            guard let split = try await readSplit(Self.address(target, key: key), of: metric) else {
                continue
            }
            // Splits hold disjoint, increasing ranges, so appending keeps the order.
            series.timestamps += split.timestamps
            series.values += split.values
        }
        if let timespan = target.timespan { series.truncate(timespan: timespan) }
        let start =
            from.map {
                series.lowerBound(roundTimestamp($0.nanoseconds, granularity: granularity.nanoseconds))
            } ?? 0
        let end = to.map { series.lowerBound($0.nanoseconds) } ?? series.count
        return start < end ? series.slice(start..<end) : Series()
    }
}
