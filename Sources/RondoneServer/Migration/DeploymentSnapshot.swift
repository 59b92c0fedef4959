public import Logging
import RondoneIndexer
import RondoneIndexerPostgreSQL
import RondoneS3
import RondoneStorage
import RondoneStoragePostgreSQL
import RondoneStorageS3
import RondoneTimeSeries

/// A PostgreSQL + S3 deployment read at one point in time while it keeps running (API
/// nodes writing, metricd processing), what `rondone backup` copies from.
///
/// * The index, the waiting measures and the aggregate pointers are read through
///   exported snapshots (`pg_export_snapshot()`, held open until ``close()``). When they
///   live in one database (the default) that is one snapshot: everything is as of one
///   instant. With databases of their own they are taken in this order: index, then
///   incoming, then pointers; a measure processed between two of them is then both
///   waiting and in the aggregates (processing is idempotent per time stamp), never in
///   neither, and a metric created in between has no data yet.
/// * The waiting measures are read with plain `SELECT`s: no claim is taken, processing
///   goes on.
/// * Before the pointers' snapshot a backup hold (``S3AggregateStore/backupHoldLock``)
///   is taken, so the janitor and metric deletion leave every object the snapshot names
///   in the bucket until ``close()``.
public struct DeploymentSnapshot: Sendable {
    /// The deployment as of the snapshot, for ``DataMigration``.
    public let source: MigrationSource
    /// How the point was taken, in words (for the report).
    public let consistency: String
    private let exports: [PostgreSQLSnapshotExport]
    private let closeStores: @Sendable () async -> Void

    /// Takes the hold and the snapshots, and opens readers of the deployment at them.
    ///
    /// - Throws: `StorageError.backend` when a database cannot be reached.
    public static func open(_ settings: SharedBackendSettings, logger: Logger) async throws
        -> DeploymentSnapshot
    {
        // Consecutive parts in one database share one snapshot.
        let parts: [(name: String, url: PostgreSQLURL)] = [
            ("index", settings.indexer), ("incoming", settings.incoming), ("pointers", settings.coordination),
        ]
        var groups: [(names: [String], url: PostgreSQLURL)] = []
        for part in parts {
            if let last = groups.last, last.url == part.url {
                groups[groups.count - 1].names.append(part.name)
            } else {
                groups.append(([part.name], part.url))
            }
        }
        var exports: [PostgreSQLSnapshotExport] = []
        var snapshots: [String: String] = [:]
        do {
            for group in groups {
                let export = try await PostgreSQLSnapshotExport.open(
                    url: group.url,
                    lock: group.names.contains("pointers") ? S3AggregateStore.backupHoldLock : nil,
                    logger: logger)
                exports.append(export)
                for name in group.names { snapshots[name] = export.id }
            }
        } catch {
            for export in exports { await export.close() }
            throw error
        }
        let incoming: PostgreSQLIncomingStore
        do {
            incoming = try await openIncoming(settings, logger: logger)
        } catch {
            for export in exports { await export.close() }
            throw error
        }
        let indexer = PostgreSQLIndexer(
            url: settings.indexer, maximumConnections: 4, logger: logger, snapshot: snapshots["index"])
        // As many connections as objects read at once.
        let s3 = S3Client(
            url: settings.storage, configuration: S3Client.Configuration(maximumConnections: 32),
            logger: logger)
        let aggregates = S3AggregateStore(s3: s3, url: settings.coordination, concurrency: 32, logger: logger)
        let source = MigrationSource(
            name: settings.location, indexer: indexer,
            waiting: SnapshotWaitingMeasures(store: incoming, snapshot: snapshots["incoming"]!),
            stored: SnapshotStoredAggregates(store: aggregates, snapshot: snapshots["pointers"]!))
        return DeploymentSnapshot(
            source: source,
            consistency: groups.count == 1
                ? "one PostgreSQL snapshot (index, waiting measures and aggregate pointers at one instant)"
                : "\(groups.count) PostgreSQL snapshots, in this order: "
                    + groups.map { $0.names.joined(separator: " + ") }.joined(separator: ", then "),
            exports: exports,
            closeStores: {
                await aggregates.shutdown()
                try? await s3.shutdown()
                await incoming.shutdown()
                await indexer.shutdown()
            })
    }

    /// Closes the readers, then ends the snapshots and the hold.
    public func close() async {
        await closeStores()
        for export in exports.reversed() { await export.close() }
    }

    /// The incoming store with the sack count it was made with (whatever it is).
    private static func openIncoming(_ settings: SharedBackendSettings, logger: Logger) async throws
        -> PostgreSQLIncomingStore
    {
        do {
            return try await PostgreSQLIncomingStore(
                url: settings.incoming, options: .init(sacks: settings.sacks, maximumConnections: 4),
                logger: logger)
        } catch StorageError.sackCountMismatch(let stored, _) {
            return try await PostgreSQLIncomingStore(
                url: settings.incoming, options: .init(sacks: stored, maximumConnections: 4), logger: logger)
        }
    }
}

/// The measures waiting in a deployment at a snapshot.
struct SnapshotWaitingMeasures: WaitingMeasuresSource {
    let store: PostgreSQLIncomingStore
    let snapshot: String

    var sackCount: Int { store.sackCount }

    func count() async throws -> Int { try await store.waitingMeasureCount(snapshot: snapshot) }

    func batches(inSack sack: Int) async throws -> [IncomingBatch] {
        try await store.waitingBatches(sack: sack, snapshot: snapshot)
    }
}

/// A deployment's stored aggregates as the pointers were at a snapshot: the pointers of
/// many metrics in one query, their objects read in parallel.
struct SnapshotStoredAggregates: StoredAggregatesSource {
    let store: S3AggregateStore
    let snapshot: String

    func aggregates(of metrics: [Metric], _ policies: [String: ArchivePolicy]) async throws
        -> [MetricChanges]
    {
        var series: [MetricID: Set<String>] = [:]
        for metric in metrics {
            let policy = try MigrationSource.policy(of: metric, policies)
            series[metric.id] = Set(
                policy.aggregations.map { "\($0.aggregation.name)@\($0.granularity.nanoseconds)" })
        }
        let kept = series
        return try await store.blobs(of: metrics.map(\.id), snapshot: snapshot) { metric, split in
            kept[metric]?.contains("\(split.aggregation)@\(split.granularity.nanoseconds)") ?? false
        }
    }
}
