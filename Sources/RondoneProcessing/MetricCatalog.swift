import RondoneStorage
import RondoneTimeSeries

/// Where metricd learns which archive policy a metric follows.
///
/// The server's is the index (`IndexerMetricCatalog`); tests and the benchmark use
/// `InMemoryMetricCatalog`. A metric without a policy no longer exists: metricd then
/// drops its waiting measures and its aggregates instead of processing them.
public protocol MetricCatalog: Sendable {
    /// The policies of the existing metrics among `metrics`; a metric left out does not
    /// exist (was deleted).
    func archivePolicies(of metrics: [MetricID]) async throws -> [MetricID: ArchivePolicy]
}

/// A catalog held in memory, for tests and the benchmark. Metrics can be added and
/// removed while metricd runs.
public actor InMemoryMetricCatalog: MetricCatalog {
    private var policies: [MetricID: ArchivePolicy]

    /// A catalog that knows `policies` (metric → its policy).
    public init(_ policies: [MetricID: ArchivePolicy] = [:]) {
        self.policies = policies
    }

    public func archivePolicies(of metrics: [MetricID]) -> [MetricID: ArchivePolicy] {
        var result: [MetricID: ArchivePolicy] = [:]
        for metric in metrics { result[metric] = policies[metric] }
        return result
    }

    /// Creates (or re-points) a metric.
    public func set(_ policy: ArchivePolicy, for metric: MetricID) {
        policies[metric] = policy
    }

    /// Forgets a metric, as deleting it in the indexer would.
    public func remove(_ metric: MetricID) {
        policies[metric] = nil
    }
}
