public import RondoneIndexer
public import RondoneProcessing
public import RondoneTimeSeries

/// metricd's view of the index: a metric's archive policy, nil once it is deleted.
public struct IndexerMetricCatalog: MetricCatalog {
    public let indexer: any Indexer

    public init(indexer: any Indexer) {
        self.indexer = indexer
    }

    public func archivePolicy(of metric: MetricID) async throws -> ArchivePolicy? {
        try await indexer.archivePolicy(of: metric)
    }
}
