/// Aggregates `series` into periods of `granularity` (Gnocchi's `group_serie` followed
/// by one aggregation method).
///
/// A point at time `t` belongs to the period starting at `floor(t / granularity)`,
/// computed in floating point as Gnocchi does (see ``roundTimestamp(_:granularity:)``).
/// With `start`, only points at or after `start` are grouped (Gnocchi's `start` of
/// `GroupedTimeSeries`); a `rate:` aggregation also looks at the one point before
/// `start - granularity`, so that the first difference can be formed. The result holds
/// one point per non-empty period, except that `std` skips periods with a single point.
/// Values equal Gnocchi 4.7's bit for bit (see ``GroupedSeries/aggregate(_:)-(AggregationMethod)``
/// for the few ties numpy leaves undefined). `granularity` must be positive.
///
/// To compute several aggregations of one series, use
/// ``aggregate(_:granularity:start:aggregations:)`` or ``GroupedSeries``, which group once.
public func aggregate(
    _ series: Series, granularity: TimeDelta, start: Timestamp? = nil, aggregation: Aggregation
) -> Series {
    GroupedSeries(series, granularity: granularity, start: start).aggregate(aggregation)
}

/// Several aggregations of one series at one granularity, in the order asked, sharing
/// one grouping pass (and one derivation for all the `rate:` ones).
///
/// Each result equals ``aggregate(_:granularity:start:aggregation:)`` for that aggregation.
public func aggregate(
    _ series: Series, granularity: TimeDelta, start: Timestamp? = nil, aggregations: [Aggregation]
) -> [Series] {
    let grouped = GroupedSeries(series, granularity: granularity, start: start)
    var rates: GroupedSeries? = nil
    return aggregations.map { aggregation in
        guard aggregation.isRate else { return grouped.aggregate(aggregation.method) }
        let derived = rates ?? grouped.derived()
        rates = derived
        return derived.aggregate(aggregation.method)
    }
}

/// An aggregated series re-aggregated to a coarser `granularity` with the same
/// aggregation (Gnocchi's `AggregatedTimeSerie.resample`, used by the `resample` query
/// parameter and operation).
///
/// Like Gnocchi, a `rate:` aggregation takes the rate again, of the aggregated points.
public func resample(_ series: Series, to granularity: TimeDelta, aggregation: Aggregation) -> Series {
    aggregate(series, granularity: granularity, aggregation: aggregation)
}

/// An aggregated series re-aggregated to `sampling`, a timespan or calendar periods,
/// with the same aggregation (Gnocchi's `AggregatedTimeSerie.resample`, which takes
/// `resample=M` … as well as timespans).
///
/// Each calendar period gets one point at its start (midnight UTC of its first day,
/// the Sunday for weeks). A `rate:` aggregation takes the rate again, of the aggregated
/// points, for calendar periods too (where Gnocchi fails instead).
public func resample(_ series: Series, to sampling: Sampling, aggregation: Aggregation) -> Series {
    GroupedSeries(series, sampling: sampling).aggregate(aggregation)
}
