public import RondoneAPI
public import RondoneProcessing
public import RondoneTimeSeries

/// In one process, `?refresh=true` is metricd's `processNow`: it takes the metric's
/// sack the way a worker does, so it never races one.
extension Metricd: RefreshProcessor {
    public nonisolated func refresh(_ metric: MetricID) async throws {
        _ = try await processNow(metric: metric)
    }
}
