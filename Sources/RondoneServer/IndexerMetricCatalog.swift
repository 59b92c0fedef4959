public import RondoneIndexer
public import RondoneProcessing
public import RondoneTimeSeries

/// metricd's view of the index: a metric's archive policy (nil once it is deleted),
/// and the deleted metrics whose data the janitor must remove.
public struct IndexerMetricCatalog: MetricCatalog, DeletedMetrics {
    public let indexer: any Indexer

    public init(indexer: any Indexer) {
        self.indexer = indexer
    }

    public func archivePolicies(of metrics: [MetricID]) async throws -> [MetricID: ArchivePolicy] {
        try await indexer.archivePolicies(of: metrics)
    }

    public func metricsPendingDeletion(limit: Int) async throws -> [MetricID] {
        try await indexer.metricsPendingDeletion(limit: limit)
    }

    public func purge(_ metric: MetricID) async throws {
        try await indexer.purgeMetric(metric)
    }
}
