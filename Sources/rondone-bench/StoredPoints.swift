import RondoneQuery
import RondoneStorage
import RondoneTimeSeries

/// The aggregate points stored for `metrics` under `policy`, read back through the one
/// reader (every aggregation method and granularity of the policy).
func storedAggregatePoints(
    _ metrics: [MetricID], policy: ArchivePolicy, aggregates: any AggregateStore
) async -> Int {
    var stored = 0
    let reader = SeriesReader(aggregates: aggregates)
    for metric in metrics {
        for target in policy.aggregations {
            stored += try! await reader.read(
                metric: metric, policy: policy, aggregation: target.aggregation,
                granularity: target.granularity
            ).count
        }
    }
    return stored
}
