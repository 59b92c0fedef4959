import RondoneStorage

/// What `/v1/status`, `rondone status` and `/metrics` report about processing: what
/// waits, and what metricd has done.
public struct MetricdStatus: Equatable, Sendable {
    /// Per sack, the metrics, batches and points waiting (Gnocchi's `summary` is
    /// `backlog.metrics` and `backlog.batches`).
    public var backlog: BacklogSummary
    /// Per metric, what waits; only when asked for (Gnocchi's `details=true`).
    public var perMetric: [MetricID: PendingCount]?
    /// Totals and rates since metricd started.
    public var processing: ProcessingRates
    /// Workers running in this process (0 when stopped).
    public var workers: Int

    public init(
        backlog: BacklogSummary, perMetric: [MetricID: PendingCount]?, processing: ProcessingRates,
        workers: Int
    ) {
        self.backlog = backlog
        self.perMetric = perMetric
        self.processing = processing
        self.workers = workers
    }
}
