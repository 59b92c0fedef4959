import RondoneIndexer
import RondoneStorage
import RondoneTimeSeries

/// What `rondone migrate` reads from a data directory, page by page, through the same
/// contracts the server uses (so it reads what the API would show).
struct MigrationSource: Sendable {
    let directory: DataDirectory

    /// Rows read from the index per query (and metrics per aggregate checkpoint).
    static let pageSize = 500

    /// What a migration would move (`--dry-run`).
    func survey() async throws -> MigrationCounts {
        var counts = MigrationCounts()
        let indexer = directory.indexer
        counts.archivePolicies = try await indexer.archivePolicies().count
        counts.archivePolicyRules = try await indexer.archivePolicyRules().count
        counts.resourceTypes = try await indexer.resourceTypes().filter { $0.name != ResourceType.generic }
            .count
        try await forEachResource { revisions in
            counts.resources += 1
            counts.revisions += revisions.count
        }
        let policies = try await policiesByName()
        try await forEachMetricPage(after: nil) { metrics in
            counts.metrics += metrics.count
            for metric in metrics { counts.add(try await aggregates(of: metric, policies)) }
        }
        counts.deletedMetrics = try await indexer.metricsPendingDeletion(limit: Int.max).count
        counts.waitingMeasures = try await directory.incoming.backlogSummary().measures
        return counts
    }

    /// Calls `body` with every resource's rows (its history rows, then its current row),
    /// resource by resource in id order.
    func forEachResource(_ body: ([Resource]) async throws -> Void) async throws {
        var marker: String?
        var group: [Resource] = []
        while true {
            let page = try await directory.indexer.resources(
                ResourceQuery(history: true, details: true, limit: Self.pageSize, marker: marker))
            for row in page {
                if let first = group.first, first.id != row.id {
                    try await body(group)
                    group = []
                }
                group.append(row)
            }
            guard page.count == Self.pageSize, let last = page.last else { break }
            marker = "\(last.id)@\(last.revision)"
        }
        if !group.isEmpty { try await body(group) }
    }

    /// Calls `body` with pages of the active metrics in id order, after `marker` (an id).
    func forEachMetricPage(after marker: String?, _ body: ([Metric]) async throws -> Void) async throws {
        var marker = marker
        while true {
            let page = try await directory.indexer.metrics(MetricQuery(limit: Self.pageSize, marker: marker))
            if !page.isEmpty { try await body(page) }
            guard page.count == Self.pageSize, let last = page.last else { return }
            marker = last.id.description
        }
    }

    func policiesByName() async throws -> [String: ArchivePolicy] {
        Dictionary(uniqueKeysWithValues: try await directory.indexer.archivePolicies().map { ($0.name, $0) })
    }

    /// Everything the source stores for `metric`: its buffer and every split of every
    /// aggregate series its policy keeps.
    func aggregates(of metric: Metric, _ policies: [String: ArchivePolicy]) async throws -> MetricChanges {
        guard let policy = policies[metric.archivePolicyName] else {
            throw MigrationError(
                "metric \(metric.id) names archive policy \(metric.archivePolicyName), which is missing")
        }
        let store = directory.aggregates
        var change = MetricChanges(metric: metric.id, buffer: try await store.buffer(of: metric.id))
        for series in policy.aggregations {
            let keys = try await store.splitKeys(
                of: metric.id, aggregation: series.aggregation.name, granularity: series.granularity)
            let addresses = keys.map {
                SplitAddress(aggregation: series.aggregation.name, granularity: series.granularity, key: $0)
            }
            for (address, bytes) in zip(addresses, try await store.splits(addresses, of: metric.id)) {
                if let bytes { change.splits[address] = bytes }
            }
        }
        return change
    }
}
