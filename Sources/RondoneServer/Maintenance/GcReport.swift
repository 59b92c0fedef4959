public import RondoneIndexerSQLite
public import RondoneStorage
public import RondoneTimeSeries

/// What `rondone gc` found (a dry run) or removed: the same lists either way, so a dry
/// run's report names exactly what the real run then removes.
public struct GcReport: Sendable, Equatable {
    /// A metric's aggregates to remove, with the bytes of its live records.
    public struct MetricData: Sendable, Equatable, Hashable {
        public var metric: MetricID
        public var bytes: Int
    }

    /// Split packs of one metric past its archive policy's timespan.
    public struct ExpiredPacks: Sendable, Equatable {
        public var metric: MetricID
        public var packs: [StoredMetricRecords.Pack]
        public var bytes: Int { packs.reduce(0) { $0 + $1.recordBytes } }
    }

    /// True when nothing was changed.
    public var dryRun: Bool
    /// Metrics deleted through the API whose data the janitor had not removed yet (gc
    /// does the janitor's work for them: waiting measures, aggregates, index row).
    public var deletedMetrics: [MetricData] = []
    /// Aggregates of metrics the index does not know at all.
    public var unknownMetrics: [MetricData] = []
    /// Splits past their policy's timespan, per metric.
    public var expiredPacks: [ExpiredPacks] = []
    /// The aggregate log before gc, and after (a dry run: the same).
    public var logBefore = AggregateLogSpace(segments: 0, totalBytes: 0, liveBytes: 0)
    public var logAfter = AggregateLogSpace(segments: 0, totalBytes: 0, liveBytes: 0)
    /// The index's free space before gc, and after.
    public var indexBefore = SQLiteFreeSpace(freePages: 0, pageSize: 0, fileBytes: 0)
    public var indexAfter = SQLiteFreeSpace(freePages: 0, pageSize: 0, fileBytes: 0)
    /// History revisions older than the retention (nil: no retention given).
    public var historyRevisions: Int?
    public var historyCutoff: Timestamp?

    /// Bytes of aggregate records gc removes.
    public var removedRecordBytes: Int {
        (deletedMetrics + unknownMetrics).reduce(0) { $0 + $1.bytes }
            + expiredPacks.reduce(0) { $0 + $1.bytes }
    }

    /// What compaction frees: today's dead bytes and the removed records (a dry run's
    /// estimate; the compaction's own commit records take a few bytes back).
    public var expectedLogBytesFreed: Int64 { logBefore.deadBytes + Int64(removedRecordBytes) }

    /// The lines of the report.
    public func lines() -> [String] {
        let verb = dryRun ? "would remove" : "removed"
        var lines: [String] = []
        if dryRun { lines.append("gc: dry run, nothing is changed") }
        func metrics(_ title: String, _ list: [MetricData]) {
            let bytes = list.reduce(0) { $0 + $1.bytes }
            lines.append("\(title): \(verb) \(list.count) metrics, \(bytes) bytes of aggregates")
            for item in list { lines.append("  \(item.metric) \(item.bytes) bytes") }
        }
        metrics("deleted metrics", deletedMetrics)
        metrics("metrics unknown to the index", unknownMetrics)
        let packCount = expiredPacks.reduce(0) { $0 + $1.packs.count }
        let packBytes = expiredPacks.reduce(0) { $0 + $1.bytes }
        lines.append(
            "expired splits: \(verb) \(packCount) split packs of \(expiredPacks.count) metrics, \(packBytes) bytes"
        )
        for item in expiredPacks {
            for pack in item.packs {
                lines.append(
                    "  \(item.metric) \(pack.granularity.seconds)s \(pack.key.formatted()) \(pack.recordBytes) bytes"
                )
            }
        }
        if dryRun {
            lines.append(
                "aggregate log: \(logBefore.segments) segments, \(logBefore.totalBytes) bytes, "
                    + "\(logBefore.deadBytes) dead; a full compaction would free about \(expectedLogBytesFreed) bytes"
            )
            lines.append(
                "index: \(indexBefore.freePages) free pages of \(indexBefore.pageSize) bytes, "
                    + "VACUUM would free at least \(indexBefore.freeBytes) bytes (it also repacks the pages it rewrites)"
            )
        } else {
            lines.append(
                "aggregate log: compacted, \(logBefore.totalBytes) → \(logAfter.totalBytes) bytes "
                    + "(freed \(logBefore.totalBytes - logAfter.totalBytes))")
            lines.append(
                "index: vacuumed, \(indexBefore.fileBytes) → \(indexAfter.fileBytes) bytes "
                    + "(freed \(indexBefore.fileBytes - indexAfter.fileBytes))")
        }
        if let historyRevisions, let historyCutoff {
            lines.append(
                "resource history: \(verb) \(historyRevisions) revisions of ended resources, ended before \(historyCutoff.formatted())"
            )
        } else {
            lines.append("resource history: left alone (no --history-retention)")
        }
        if dryRun {
            lines.append(
                "total: would free \(expectedLogBytesFreed + Int64(indexBefore.freeBytes)) bytes or more")
        } else {
            let freed =
                (logBefore.totalBytes - logAfter.totalBytes)
                + Int64(indexBefore.fileBytes - indexAfter.fileBytes)
            lines.append("total: freed \(freed) bytes")
        }
        return lines
    }
}
