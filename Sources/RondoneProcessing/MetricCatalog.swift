import RondoneStorage
import RondoneTimeSeries

/// Where metricd learns which archive policy a metric follows.
///
/// The indexer implements it (a later issue); until then `InMemoryMetricCatalog` does.
/// A `nil` answer means the metric no longer exists: metricd then drops its waiting
/// measures and its aggregates instead of processing them.
public protocol MetricCatalog: Sendable {
    /// The metric's archive policy, or nil if the metric does not exist (was deleted).
    func archivePolicy(of metric: MetricID) async throws -> ArchivePolicy?
    /// The policies of the existing metrics among `metrics` (deleted ones are left out).
    func archivePolicies(of metrics: [MetricID]) async throws -> [MetricID: ArchivePolicy]
}

extension MetricCatalog {
    /// One ``archivePolicy(of:)`` per metric; a catalog backed by a database answers in
    /// one read instead.
    public func archivePolicies(of metrics: [MetricID]) async throws -> [MetricID: ArchivePolicy] {
        var result: [MetricID: ArchivePolicy] = [:]
        for metric in metrics { result[metric] = try await archivePolicy(of: metric) }
        return result
    }
}

/// A catalog held in memory, for tests, the benchmark and `rondone serve` until the
/// indexer exists. Metrics can be added and removed while metricd runs.
public actor InMemoryMetricCatalog: MetricCatalog {
    private var policies: [MetricID: ArchivePolicy]

    /// A catalog that knows `policies` (metric → its policy).
    public init(_ policies: [MetricID: ArchivePolicy] = [:]) {
        self.policies = policies
    }

    public func archivePolicy(of metric: MetricID) -> ArchivePolicy? {
        policies[metric]
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
