import Foundation
import RondoneIndexer
import RondoneStorage
import RondoneTimeSeries

/// What `rondone migrate` and `rondone backup` copy from, page by page, through the
/// same contracts the server uses (so they read what the API would show): an index,
/// the measures waiting in its incoming store and its stored aggregates.
///
/// `migrate` reads an embedded data directory (``dataDirectory(_:)``); `backup` reads a
/// PostgreSQL + S3 deployment at one snapshot (``DeploymentSnapshot``). Both copy with
/// ``DataMigration``, one copy path whatever the direction.
public struct MigrationSource: Sendable {
    /// What the copy is from, as the target's checkpoint records it (a path, or URLs).
    public let name: String
    let indexer: any Indexer
    let waiting: any WaitingMeasuresSource
    let stored: any StoredAggregatesSource

    /// Rows read from the index per query (and metrics per aggregate checkpoint).
    static let pageSize = 500

    /// A source of any parts.
    init(
        name: String, indexer: any Indexer, waiting: any WaitingMeasuresSource,
        stored: any StoredAggregatesSource
    ) {
        self.name = name
        self.indexer = indexer
        self.waiting = waiting
        self.stored = stored
    }

    /// An opened data directory (its lock held): its index, its incoming store read by
    /// claims that are released (never completed), its aggregate store.
    public static func dataDirectory(_ directory: DataDirectory) -> MigrationSource {
        MigrationSource(
            name: URL(fileURLWithPath: directory.path).standardizedFileURL.path, indexer: directory.indexer,
            waiting: ClaimedWaitingMeasures(store: directory.incoming),
            stored: AggregateStoreSource(store: directory.aggregates))
    }

    /// What a copy would move (`--dry-run`).
    func survey() async throws -> MigrationCounts {
        var counts = MigrationCounts()
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
            for change in try await stored.aggregates(of: metrics, policies) { counts.add(change) }
        }
        counts.deletedMetrics = try await indexer.metricsPendingDeletion(limit: Int.max).count
        counts.waitingMeasures = try await waiting.count()
        return counts
    }

    /// Calls `body` with every resource's rows (its history rows, then its current row),
    /// resource by resource in id order.
    func forEachResource(_ body: ([Resource]) async throws -> Void) async throws {
        var marker: String?
        var group: [Resource] = []
        while true {
            let page = try await indexer.resources(
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
            let page = try await indexer.metrics(MetricQuery(limit: Self.pageSize, marker: marker))
            if !page.isEmpty { try await body(page) }
            guard page.count == Self.pageSize, let last = page.last else { return }
            marker = last.id.description
        }
    }

    func policiesByName() async throws -> [String: ArchivePolicy] {
        Dictionary(uniqueKeysWithValues: try await indexer.archivePolicies().map { ($0.name, $0) })
    }
}

/// The measures waiting in a source's incoming store, read without taking them from
/// the processing that owns them.
protocol WaitingMeasuresSource: Sendable {
    /// The source's sack count.
    var sackCount: Int { get }
    /// How many measures wait in all.
    func count() async throws -> Int
    /// The batches waiting in `sack`, one per metric.
    func batches(inSack sack: Int) async throws -> [IncomingBatch]
}

/// The stored aggregates of a source's metrics.
protocol StoredAggregatesSource: Sendable {
    /// Everything stored for each metric: its buffer and every split of every aggregate
    /// series its policy keeps, one ``MetricChanges`` per metric, in order.
    func aggregates(of metrics: [Metric], _ policies: [String: ArchivePolicy]) async throws
        -> [MetricChanges]
}

/// Waiting measures read by claiming each sack and releasing the claim (the store
/// keeps them): for a store no one else uses (a data directory being moved).
struct ClaimedWaitingMeasures: WaitingMeasuresSource {
    let store: any IncomingStore

    var sackCount: Int { store.sackCount }

    func count() async throws -> Int { try await store.backlogSummary().measures }

    func batches(inSack sack: Int) async throws -> [IncomingBatch] {
        let claim = try await store.claim(sack: sack)
        await store.release(claim)
        return Array(claim.measures.values)
    }
}

/// Stored aggregates read through the ``AggregateStore`` contract, metric by metric.
struct AggregateStoreSource: StoredAggregatesSource {
    let store: any AggregateStore

    func aggregates(of metrics: [Metric], _ policies: [String: ArchivePolicy]) async throws
        -> [MetricChanges]
    {
        var changes: [MetricChanges] = []
        for metric in metrics {
            let policy = try MigrationSource.policy(of: metric, policies)
            var change = MetricChanges(metric: metric.id, buffer: try await store.buffer(of: metric.id))
            for series in policy.aggregations {
                let keys = try await store.splitKeys(
                    of: metric.id, aggregation: series.aggregation.name, granularity: series.granularity)
                let addresses = keys.map {
                    SplitAddress(
                        aggregation: series.aggregation.name, granularity: series.granularity, key: $0)
                }
                for (address, bytes) in zip(addresses, try await store.splits(addresses, of: metric.id)) {
                    if let bytes { change.splits[address] = bytes }
                }
            }
            changes.append(change)
        }
        return changes
    }
}

extension MigrationSource {
    /// The policy `metric` names.
    ///
    /// - Throws: ``MigrationError`` when the source has no such policy.
    static func policy(of metric: Metric, _ policies: [String: ArchivePolicy]) throws -> ArchivePolicy {
        guard let policy = policies[metric.archivePolicyName] else {
            throw MigrationError(
                "metric \(metric.id) names archive policy \(metric.archivePolicyName), which is missing")
        }
        return policy
    }
}
