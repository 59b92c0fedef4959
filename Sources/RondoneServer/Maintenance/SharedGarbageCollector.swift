import RondoneIndexer
import RondoneIndexerPostgreSQL
import RondoneStorage
import RondoneStorageS3
public import RondoneTimeSeries

/// `rondone gc` on a PostgreSQL + S3 deployment (Rondone's): removes what nothing reads
/// any more, or with `dryRun` only lists it.
///
/// 1. metrics deleted through the API that the janitor has not purged yet (gc does the
///    janitor's steps), and aggregates of metrics the index does not know at all;
/// 2. splits past their archive policy's timespan (the rule of
///    ``GarbageCollector/expiredPacks(_:policy:)``, per aggregation method): their
///    pointers go, their objects to the garbage;
/// 3. the bucket's garbage: objects superseded longer ago than the grace a read in
///    flight may need (60 s), uploads whose commit never came (10 min), and orphan
///    objects nothing names;
/// 4. `VACUUM (ANALYZE)` of the schema's tables (never `VACUUM FULL`, which locks);
/// 5. with `historyRetention`, old revisions of ended resources.
///
/// Everything runs while API nodes and metricd run, from any machine.
public struct SharedGarbageCollector: Sendable {
    public let deployment: MaintainedDeployment
    /// How long a superseded object stays for reads in flight, and an upload for its commit.
    public var grace: Duration = .seconds(60)
    public var uploadGrace: Duration = .seconds(600)

    public init(deployment: MaintainedDeployment) {
        self.deployment = deployment
    }

    /// Runs gc (or its dry run) and returns its report; `output` gets progress only.
    public func run(
        dryRun: Bool, historyRetention: TimeDelta?, now: Timestamp = .now(), output: any MaintenanceOutput
    ) async throws -> SharedGcReport {
        var report = SharedGcReport(dryRun: dryRun)
        let indexer = deployment.indexer
        let aggregates = deployment.aggregates
        report.databaseBefore = try await indexer.space()
        // The bucket first, the index second (see GarbageCollector).
        output.progress(step: "listing the bucket", done: 0, total: 1)
        let inventory = try await aggregates.inventory(grace: grace, uploadGrace: uploadGrace)
        output.progress(step: "listing the bucket", done: 1, total: 1)
        report.bucketBefore = (inventory.objects, inventory.bytes)
        let rows = try await indexer.allMetricRows()
        let known = Set(rows.map(\.id))
        let pending = Set(try await indexer.metricsPendingDeletion(limit: Int.max))
        var policies: [String: ArchivePolicy] = [:]
        for policy in try await indexer.archivePolicies() { policies[policy.name] = policy }
        let active = Dictionary(
            rows.filter { $0.status == .active }.map { ($0.id, $0.archivePolicyName) },
            uniquingKeysWith: { a, _ in a })

        var blobsByMetric: [MetricID: [AggregateInventory.Blob]] = [:]
        for blob in inventory.blobs { blobsByMetric[blob.metric, default: []].append(blob) }
        for (metric, blobs) in blobsByMetric.sorted(by: { $0.key < $1.key }) {
            let bytes = Int(blobs.reduce(0) { $0 + $1.bytes })
            if !known.contains(metric) {
                report.unknownMetrics.append(.init(metric: metric, bytes: bytes))
            } else if pending.contains(metric) {
                report.deletedMetrics.append(.init(metric: metric, bytes: bytes))
            } else if let name = active[metric], let policy = policies[name] {
                let expired = Self.expiredSplits(blobs, policy: policy)
                if !expired.isEmpty { report.expiredSplits.append(.init(metric: metric, splits: expired)) }
            }
        }
        let withData = Set(report.deletedMetrics.map(\.metric))
        report.deletedMetrics += pending.subtracting(withData).sorted().map { .init(metric: $0, bytes: 0) }
        report.garbage = (inventory.collectable, inventory.collectableBytes)
        report.waitingGarbage = (inventory.waiting, inventory.waitingBytes)
        report.orphans = inventory.orphans
        if let historyRetention {
            let cutoff = Timestamp(nanoseconds: now.nanoseconds &- historyRetention.nanoseconds)
            report.historyCutoff = cutoff
            report.historyRevisions = try await indexer.oldResourceHistory(endedBefore: cutoff, delete: false)
        }
        guard !dryRun else { return report }

        var removals = GarbageCollector.Removals(
            total: report.deletedMetrics.count + report.unknownMetrics.count + report.expiredSplits.count,
            output: output)
        try await GarbageCollector.removeMetrics(
            deleted: report.deletedMetrics.map(\.metric), unknown: report.unknownMetrics.map(\.metric),
            indexer: indexer, incoming: deployment.incoming, aggregates: aggregates, removals: &removals)
        for item in report.expiredSplits {
            try await aggregates.commit([
                MetricChanges(metric: item.metric, deletedSplits: item.splits.map(\.address))
            ])
            removals.step()
        }
        output.progress(step: "collecting the bucket's garbage", done: 0, total: 1)
        let collected = try await aggregates.collectAllGarbage(grace: grace, uploadGrace: uploadGrace)
        report.collected = collected.superseded + collected.orphans
        for orphan in report.orphans where try await aggregates.deleteOrphan(orphan.key) {
            report.orphansDeleted += 1
        }
        output.progress(step: "collecting the bucket's garbage", done: 1, total: 1)
        if let cutoff = report.historyCutoff {
            report.historyRevisions = try await indexer.oldResourceHistory(endedBefore: cutoff, delete: true)
        }
        try await indexer.vacuum { done, total in
            output.progress(step: "vacuuming the tables", done: done, total: total)
        }
        report.databaseAfter = try await indexer.space()
        let after = try await aggregates.inventory(grace: grace, uploadGrace: uploadGrace)
        report.bucketAfter = (after.objects, after.bytes)
        return report
    }

    /// The splits of `blobs` past `policy`'s timespans, aggregation method by method.
    static func expiredSplits(_ blobs: [AggregateInventory.Blob], policy: ArchivePolicy) -> [SharedGcReport
        .Split]
    {
        var byMethod: [String: [AggregateInventory.Blob]] = [:]
        for blob in blobs where !blob.isBuffer { byMethod[blob.aggregation, default: []].append(blob) }
        var expired: [SharedGcReport.Split] = []
        for (method, splits) in byMethod.sorted(by: { $0.key < $1.key }) {
            let sorted = splits.sorted { ($0.granularity, $0.key) < ($1.granularity, $1.key) }
            let records = StoredMetricRecords(
                metric: sorted[0].metric, bufferBytes: 0,
                packs: sorted.map {
                    .init(granularity: $0.granularity, key: $0.key, recordBytes: Int($0.bytes))
                })
            let bytes = Dictionary(
                sorted.map {
                    (SplitAddress(aggregation: method, granularity: $0.granularity, key: $0.key), $0.bytes)
                },
                uniquingKeysWith: { a, _ in a })
            for pack in GarbageCollector.expiredPacks(records, policy: policy) {
                let address = SplitAddress(aggregation: method, granularity: pack.granularity, key: pack.key)
                expired.append(.init(address: address, bytes: bytes[address] ?? 0))
            }
        }
        return expired
    }
}
