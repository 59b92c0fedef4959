public import RondoneIndexerPostgreSQL
public import RondoneStorage
public import RondoneStorageS3
public import RondoneTimeSeries

/// What `rondone gc` found on a deployment (a dry run) or removed: the same lists either
/// way, so a dry run names exactly what the real run then removes.
public struct SharedGcReport: Sendable {
    /// A split past its policy's timespan, with its object's bytes.
    public struct Split: Sendable, Equatable {
        public var address: SplitAddress
        public var bytes: Int64
    }

    /// Expired splits of one metric.
    public struct ExpiredSplits: Sendable, Equatable {
        public var metric: MetricID
        public var splits: [Split]
        public var bytes: Int64 { splits.reduce(0) { $0 + $1.bytes } }
    }

    public var dryRun: Bool
    /// Metrics deleted through the API not purged yet, and metrics the index does not know.
    public var deletedMetrics: [GcReport.MetricData] = []
    public var unknownMetrics: [GcReport.MetricData] = []
    public var expiredSplits: [ExpiredSplits] = []
    /// The janitor's garbage past its grace (deleted now), and within it (left).
    public var garbage: (objects: Int, bytes: Int64) = (0, 0)
    public var waitingGarbage: (objects: Int, bytes: Int64) = (0, 0)
    /// Objects nothing names.
    public var orphans: [ObjectStoreVerification.Orphan] = []
    /// What the real run deleted of the garbage (more than listed when superseded
    /// objects passed their grace meanwhile) and of the orphans.
    public var collected = 0
    public var orphansDeleted = 0
    /// The bucket's aggregate objects and bytes, before and after.
    public var bucketBefore: (objects: Int, bytes: Int64) = (0, 0)
    public var bucketAfter: (objects: Int, bytes: Int64) = (0, 0)
    /// The schema's tables, before and after VACUUM.
    public var databaseBefore = PostgreSQLSpace()
    public var databaseAfter = PostgreSQLSpace()
    public var historyRevisions: Int?
    public var historyCutoff: Timestamp?

    public init(dryRun: Bool) {
        self.dryRun = dryRun
    }

    /// Bytes of objects the run removes from the bucket (a dry run: would remove).
    public var removedObjectBytes: Int64 {
        Int64((deletedMetrics + unknownMetrics).reduce(0) { $0 + $1.bytes })
            + expiredSplits.reduce(0) { $0 + $1.bytes } + garbage.bytes + orphans.reduce(0) { $0 + $1.size }
    }

    /// The lines of the report.
    public func lines() -> [String] {
        let verb = dryRun ? "would remove" : "removed"
        var lines: [String] = []
        if dryRun { lines.append("gc: dry run, nothing is changed") }
        func metrics(_ title: String, _ list: [GcReport.MetricData]) {
            let bytes = list.reduce(0) { $0 + $1.bytes }
            lines.append("\(title): \(verb) \(list.count) metrics, \(bytes) bytes of aggregates")
            for item in list { lines.append("  \(item.metric) \(item.bytes) bytes") }
        }
        metrics("deleted metrics", deletedMetrics)
        metrics("metrics unknown to the index", unknownMetrics)
        let splitCount = expiredSplits.reduce(0) { $0 + $1.splits.count }
        lines.append(
            "expired splits: \(verb) \(splitCount) splits of \(expiredSplits.count) metrics, "
                + "\(expiredSplits.reduce(0) { $0 + $1.bytes }) bytes")
        for item in expiredSplits {
            for split in item.splits {
                let address = split.address
                lines.append(
                    "  \(item.metric) \(address.aggregation) \(address.granularity.seconds)s \(address.key.formatted()) \(split.bytes) bytes"
                )
            }
        }
        lines.append(
            "superseded objects: \(verb) \(garbage.objects) past their grace, \(garbage.bytes) bytes"
                + (dryRun ? "" : " (\(collected) deleted in all)")
                + "; \(waitingGarbage.objects) within it (\(waitingGarbage.bytes) bytes) left for the janitor"
        )
        lines.append(
            "orphan objects: \(verb) \(orphans.count), \(orphans.reduce(0) { $0 + $1.size }) bytes"
                + (dryRun ? "" : " (\(orphansDeleted) deleted)"))
        for orphan in orphans { lines.append("  \(orphan.key) \(orphan.size) bytes") }
        if dryRun {
            lines.append(
                "bucket: \(bucketBefore.objects) objects, \(bucketBefore.bytes) bytes; "
                    + "would free about \(removedObjectBytes) bytes (expired splits and deleted metrics' objects "
                    + "wait out the grace in the garbage first)")
            lines.append(
                "database: \(databaseBefore.tables) tables, \(databaseBefore.bytes) bytes, "
                    + "\(databaseBefore.deadRows) dead rows that VACUUM would make reusable")
        } else {
            lines.append(
                "bucket: \(bucketBefore.objects) → \(bucketAfter.objects) objects, "
                    + "\(bucketBefore.bytes) → \(bucketAfter.bytes) bytes (freed \(bucketBefore.bytes - bucketAfter.bytes))"
            )
            lines.append(
                "database: vacuumed \(databaseBefore.tables) tables, \(databaseBefore.bytes) → \(databaseAfter.bytes) bytes, "
                    + "dead rows \(databaseBefore.deadRows) → \(databaseAfter.deadRows)")
        }
        if let historyRevisions, let historyCutoff {
            lines.append(
                "resource history: \(verb) \(historyRevisions) revisions of ended resources, ended before \(historyCutoff.formatted())"
            )
        } else {
            lines.append("resource history: left alone (no --history-retention)")
        }
        return lines
    }
}
