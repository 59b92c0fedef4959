import RondoneIndexer
public import RondoneIndexerSQLite
public import RondoneStorage
public import RondoneTimeSeries

/// `rondone gc` (Rondone's): removes what nothing reads any more from an embedded data
/// directory's open stores, or with `dryRun` only lists it.
///
/// 1. aggregates of metrics deleted through the API that the janitor has not purged
///    yet (gc does the janitor's steps), and of metrics the index does not know at all
///    (e.g. splits a metricd commit wrote after the janitor had purged the metric);
/// 2. split packs past their archive policy's timespan, counted back from the newest
///    pack of the granularity (minus one split's span, so gc never removes a split
///    processing would keep: it only catches what processing leaves, e.g. a metric that
///    stopped receiving measures after its policy's timespan was shortened);
/// 3. the aggregate log's dead bytes, by compacting every segment;
/// 4. the index's free pages (`VACUUM`);
/// 5. with `historyRetention`, old revisions of ended resources.
///
/// Safe on a running server's stores: every step takes the stores' own locks (a
/// segment's compaction and a pack deletion hold the log's writer lock, the index's
/// changes are transactions on its one writer connection), and what it removes is
/// what no request can read.
public struct GarbageCollector: Sendable {
    public var indexer: SQLiteIndexer
    public var incoming: any IncomingStore
    public var aggregates: FileAggregateStore

    public init(indexer: SQLiteIndexer, incoming: any IncomingStore, aggregates: FileAggregateStore) {
        self.indexer = indexer
        self.incoming = incoming
        self.aggregates = aggregates
    }

    /// Runs gc (or its dry run) and returns its report; `output` gets progress only.
    public func run(
        dryRun: Bool, historyRetention: TimeDelta?, now: Timestamp = .now(), output: any MaintenanceOutput
    ) async throws -> GcReport {
        var report = GcReport(dryRun: dryRun)
        report.logBefore = aggregates.logSpace()
        report.indexBefore = try await indexer.freeSpace()
        // The store's metrics first, the index's second: a metric stored before the
        // list was taken was created in the index before, so it is in the second read
        // unless it was deleted meanwhile.
        let stored = aggregates.storedMetrics()
        let known = try await indexer.allMetricIDs()
        let active = try await indexer.activeMetricPolicyNames()
        var policies: [String: ArchivePolicy] = [:]
        for policy in try await indexer.archivePolicies() { policies[policy.name] = policy }
        let pending = Set(try await indexer.metricsPendingDeletion(limit: Int.max))

        for (done, metric) in stored.enumerated() {
            if done % 1000 == 0 {
                output.progress(step: "scanning aggregates", done: done, total: stored.count)
            }
            guard let records = aggregates.storedRecords(of: metric) else { continue }
            if !known.contains(metric) {
                report.unknownMetrics.append(.init(metric: metric, bytes: records.totalBytes))
            } else if pending.contains(metric) {
                report.deletedMetrics.append(.init(metric: metric, bytes: records.totalBytes))
            } else if let name = active[metric], let policy = policies[name] {
                let expired = Self.expiredPacks(records, policy: policy)
                if !expired.isEmpty { report.expiredPacks.append(.init(metric: metric, packs: expired)) }
            }
        }
        output.progress(step: "scanning aggregates", done: stored.count, total: stored.count)
        // Deleted metrics without aggregates still have their index rows and maybe
        // waiting measures: the janitor's work, done here too.
        let pendingWithoutData = pending.subtracting(report.deletedMetrics.map(\.metric)).sorted()
        report.deletedMetrics += pendingWithoutData.map { GcReport.MetricData(metric: $0, bytes: 0) }

        if let historyRetention {
            let cutoff = Timestamp(nanoseconds: now.nanoseconds &- historyRetention.nanoseconds)
            report.historyCutoff = cutoff
            report.historyRevisions = try await indexer.oldResourceHistory(endedBefore: cutoff, delete: false)
        }
        guard !dryRun else {
            report.logAfter = report.logBefore
            report.indexAfter = report.indexBefore
            return report
        }

        var removals = Removals(
            total: report.deletedMetrics.count + report.unknownMetrics.count + report.expiredPacks.count,
            output: output)
        try await Self.removeMetrics(
            deleted: report.deletedMetrics.map(\.metric), unknown: report.unknownMetrics.map(\.metric),
            indexer: indexer, incoming: incoming, aggregates: aggregates, removals: &removals)
        for item in report.expiredPacks {
            try await aggregates.deletePacks(item.packs, of: item.metric)
            removals.step()
        }
        if let cutoff = report.historyCutoff {
            report.historyRevisions = try await indexer.oldResourceHistory(endedBefore: cutoff, delete: true)
        }
        let compacted = try await aggregates.compactAll { done, total in
            output.progress(step: "compacting the aggregate log", done: done, total: total)
        }
        report.logAfter = compacted.after
        output.progress(step: "vacuuming the index", done: 0, total: 1)
        try await indexer.vacuum()
        output.progress(step: "vacuuming the index", done: 1, total: 1)
        report.indexAfter = try await indexer.freeSpace()
        return report
    }

    /// The packs of `records` past `policy`'s timespans: per granularity with a
    /// timespan, those whose key lies before the split holding (newest pack's key −
    /// timespan − one split span). The newest pack's key is never after any method's
    /// newest point in it, and the extra span covers a method whose newest point lies
    /// a split earlier, so every split processing would keep is kept.
    public static func expiredPacks(_ records: StoredMetricRecords, policy: ArchivePolicy)
        -> [StoredMetricRecords.Pack]
    {
        var expired: [StoredMetricRecords.Pack] = []
        for item in policy.definition {
            guard let timespan = item.timespan else { continue }
            let packs = records.packs.filter { $0.granularity == item.granularity }
            guard let newest = packs.last?.key else { continue }
            let span = SplitKey.span(item.granularity)
            let bound = newest.nanoseconds.subtractingReportingOverflow(timespan.nanoseconds)
            guard !bound.overflow else { continue }
            let lower = bound.partialValue.subtractingReportingOverflow(span.nanoseconds)
            guard !lower.overflow else { continue }
            let keep = SplitKey(
                containing: Timestamp(nanoseconds: lower.partialValue), granularity: item.granularity)
            expired += packs.filter { $0.key < keep.timestamp }
        }
        return expired
    }
}
