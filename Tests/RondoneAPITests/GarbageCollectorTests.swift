import Foundation
import RondoneIndexer
import RondoneIndexerSQLite
import RondoneProcessing
import RondoneQuery
import RondoneServer
import RondoneStorage
import RondoneTimeSeries
import Testing

/// `rondone gc` on a data directory's stores (`GarbageCollector`): deleted and unknown
/// metrics, expired splits, compaction, VACUUM, history retention; a dry run lists
/// exactly what the real run removes, and every live metric reads the same after.
@Suite("Garbage collector")
struct GarbageCollectorTests {
    static let hour: Int64 = 3_600_000_000_000
    static let start: Int64 = 1_700_000_000_000_000_000 / hour * hour

    /// A fresh data directory (removed by `done`).
    static func directory() throws -> DataDirectory {
        let path = NSTemporaryDirectory() + "rondone-gc-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return try DataDirectory(path: path, sacks: 4)
    }

    static func done(_ directory: DataDirectory) {
        directory.close()
        try? FileManager.default.removeItem(atPath: directory.path)
    }

    static func policy(_ name: String, hours: Double) throws -> ArchivePolicy {
        try ArchivePolicy(
            name: name,
            definition: [ArchivePolicyItem(granularitySeconds: 1, timespanSeconds: hours * 3600)],
            aggregationMethods: ["mean", "max"])
    }

    /// One measure every 10 s over `hours` hours, processed in one-hour batches.
    static func fill(_ metric: MetricID, policy: ArchivePolicy, hours: Int, store: FileAggregateStore)
        async throws
    {
        let processor = MetricProcessor(aggregates: store)
        for hour in 0..<hours {
            let stamps = (0..<360).map { start + Int64(hour) * Self.hour + Int64($0) * 10_000_000_000 }
            try await processor.process(
                metric: metric, policy: policy,
                batch: MeasureBatch(timestamps: stamps, values: stamps.map { Double($0 % 977) }))
        }
    }

    /// Every live metric's series, as the API reads them (the index's policy).
    static func reads(_ directory: DataDirectory, _ metrics: [MetricID]) async throws -> [String] {
        let reader = SeriesReader(aggregates: directory.aggregates)
        let policies = try await directory.indexer.archivePolicies(of: metrics)
        var result: [String] = []
        for metric in metrics {
            let policy = try #require(policies[metric])
            for target in policy.aggregations {
                let series = try await reader.read(
                    metric: metric, policy: policy, aggregation: target.aggregation,
                    granularity: target.granularity)
                result.append("\(metric) \(target) \(series.timestamps) \(series.values)")
            }
            result.append("\(metric) buffer \(try await directory.aggregates.buffer(of: metric) ?? [])")
        }
        return result
    }

    @Test func dryRunListsWhatGcRemovesAndLiveReadsStay() async throws {
        let directory = try Self.directory()
        defer { Self.done(directory) }
        let indexer = directory.indexer
        try await indexer.upgrade(createDefaultPolicies: false)
        let long = try Self.policy("long", hours: 24)
        _ = try await indexer.createArchivePolicy(long)
        _ = try await indexer.createArchivePolicy(try Self.policy("short", hours: 24))
        let store = directory.aggregates

        // Live metrics: one kept whole, one whose policy is shortened after its data.
        let kept = MetricID(high: 1, low: 1)
        let shortened = MetricID(high: 2, low: 2)
        let deleted = MetricID(high: 3, low: 3)
        let unknown = MetricID(high: 4, low: 4)
        for (metric, name) in [(kept, "long"), (shortened, "short"), (deleted, "long")] {
            _ = try await indexer.createMetric(
                MetricCreation(id: metric, creator: "admin", archivePolicyName: name))
        }
        for metric in [kept, shortened, deleted, unknown] {
            try await Self.fill(metric, policy: long, hours: 8, store: store)
        }
        // Deleted through the API (status 'delete'), the janitor has not run.
        try await indexer.deleteMetric(deleted)
        // `short` keeps 2 h now (Gnocchi's PATCH); nothing is posted any more, so
        // processing never prunes its older splits.
        _ = try await indexer.updateArchivePolicy(
            named: "short", definition: [ArchivePolicyItem(granularitySeconds: 1, timespanSeconds: 7200)],
            backWindow: nil)
        let live = [kept, shortened]
        let before = try await Self.reads(directory, live)

        let collector = GarbageCollector(indexer: indexer, incoming: directory.incoming, aggregates: store)
        let dry = try await collector.run(
            dryRun: true, historyRetention: nil, output: CollectedMaintenanceOutput())
        #expect(dry.deletedMetrics.map(\.metric) == [deleted])
        #expect(dry.unknownMetrics.map(\.metric) == [unknown])
        #expect(dry.expiredPacks.map(\.metric) == [shortened])
        // 8 packs at 1 s (hours 0…7): newest 7 h − 2 h timespan − 1 h span keeps hours 4…7.
        #expect(
            dry.expiredPacks.first?.packs.map(\.key.nanoseconds)
                == (0..<4).map { Self.start + $0 * Self.hour })
        #expect(dry.historyRevisions == nil)
        // A dry run changes nothing.
        #expect(store.logSpace() == dry.logBefore)
        #expect(store.storedMetrics().count == 4)
        #expect(try await Self.reads(directory, live) == before)

        let real = try await collector.run(
            dryRun: false, historyRetention: nil, output: CollectedMaintenanceOutput())
        #expect(real.deletedMetrics == dry.deletedMetrics)
        #expect(real.unknownMetrics == dry.unknownMetrics)
        #expect(real.expiredPacks == dry.expiredPacks)
        #expect(real.logBefore == dry.logBefore)
        // Everything removed is gone, the index forgot the deleted metric.
        #expect(store.storedMetrics() == live)
        #expect(store.storedRecords(of: shortened)?.packs.count == 4)
        #expect(try await indexer.allMetricIDs() == Set(live))
        // The log holds live records only (and the copies' commit records), and
        // shrank by about what the dry run announced.
        let after = store.logSpace()
        #expect(after == real.logAfter)
        #expect(after.deadBytes < 4096)
        let freed = real.logBefore.totalBytes - after.totalBytes
        #expect(freed > 0)
        #expect(abs(freed - dry.expectedLogBytesFreed) <= 4096)
        // Reads of every live metric are unchanged.
        #expect(try await Self.reads(directory, live) == before)
        // A second gc finds nothing left.
        let again = try await collector.run(
            dryRun: true, historyRetention: nil, output: CollectedMaintenanceOutput())
        #expect(again.deletedMetrics.isEmpty && again.unknownMetrics.isEmpty && again.expiredPacks.isEmpty)
        // The report says it.
        let lines = real.lines()
        #expect(
            lines.contains(
                "metrics unknown to the index: removed 1 metrics, \(dry.unknownMetrics[0].bytes) bytes of aggregates"
            ))
        #expect(dry.lines().contains("  \(unknown) \(dry.unknownMetrics[0].bytes) bytes"))
    }

    /// The window gc covers: metricd reads a group's policies, the metric is deleted
    /// and purged by the janitor meanwhile, then metricd commits its splits: data of a
    /// metric the index no longer knows (the interleaving of `SackProcessor.finish`
    /// and `MetricJanitor.runOnce`, replayed step by step).
    @Test func splitsCommittedAfterTheJanitorPurgedAreCollected() async throws {
        let directory = try Self.directory()
        defer { Self.done(directory) }
        let indexer = directory.indexer
        try await indexer.upgrade(createDefaultPolicies: false)
        let policy = try Self.policy("p", hours: 24)
        _ = try await indexer.createArchivePolicy(policy)
        let metric = MetricID(high: 9, low: 9)
        _ = try await indexer.createMetric(
            MetricCreation(id: metric, creator: "admin", archivePolicyName: "p"))
        // metricd: the group's policies, read before the deletion.
        let policies = try await IndexerMetricCatalog(indexer: indexer).archivePolicies(of: [metric])
        let processor = MetricProcessor(aggregates: directory.aggregates)
        let found = try #require(policies[metric])
        let computed = try await processor.changes(
            metric: metric, policy: found, batch: MeasureBatch(timestamps: [Self.start], values: [1]))
        let changes = try #require(computed)
        // The API deletes it, the janitor purges it.
        try await indexer.deleteMetric(metric)
        let janitor = MetricJanitor(
            deleted: IndexerMetricCatalog(indexer: indexer), incoming: directory.incoming,
            aggregates: directory.aggregates)
        #expect(await janitor.runOnce() == 1)
        // metricd's commit lands after: nothing will ever remove it but gc.
        try await directory.aggregates.commit([changes])
        #expect(directory.aggregates.storedMetrics() == [metric])
        #expect(await janitor.runOnce() == 0)

        let collector = GarbageCollector(
            indexer: indexer, incoming: directory.incoming, aggregates: directory.aggregates)
        let report = try await collector.run(
            dryRun: false, historyRetention: nil, output: CollectedMaintenanceOutput())
        #expect(report.unknownMetrics.map(\.metric) == [metric])
        #expect(directory.aggregates.storedMetrics().isEmpty)
    }

    /// gc inside a running server: metricd goes on committing (and a metric is deleted)
    /// while gc compacts a log of many small segments; after a reopen every metric reads
    /// what the same processing gives without gc.
    @Test func gcWhileCommitsGoOnLosesNothing() async throws {
        let root = NSTemporaryDirectory() + "rondone-gc-live-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        var options = FileAggregateStore.Options()
        options.segmentBytes = 1024
        let policy = try Self.policy("p", hours: 24)
        let metrics = (1...6).map { MetricID(high: 7, low: UInt64($0)) }
        let doomed = MetricID(high: 8, low: 8)
        // Reference: the same processing, no gc.
        let reference = try FileAggregateStore(directory: root + "/ref", options: options)
        for metric in metrics + [doomed] {
            try await Self.fill(metric, policy: policy, hours: 2, store: reference)
        }
        for metric in metrics { try await Self.fill(metric, policy: policy, hours: 4, store: reference) }
        try await reference.deleteMetric(doomed)

        try FileManager.default.createDirectory(atPath: root + "/gc", withIntermediateDirectories: true)
        let indexer = try SQLiteIndexer(path: root + "/gc/index.sqlite")
        try await indexer.upgrade(createDefaultPolicies: false)
        _ = try await indexer.createArchivePolicy(policy)
        for metric in metrics + [doomed] {
            _ = try await indexer.createMetric(
                MetricCreation(id: metric, creator: "admin", archivePolicyName: "p"))
        }
        let incoming = try FileIncomingStore(directory: root + "/gc/incoming", options: .init(sacks: 4))
        var store = try FileAggregateStore(directory: root + "/gc/aggregates", options: options)
        for metric in metrics + [doomed] {
            try await Self.fill(metric, policy: policy, hours: 2, store: store)
        }
        #expect(store.logSpace().segments > 4)
        let collector = GarbageCollector(indexer: indexer, incoming: incoming, aggregates: store)
        let writing = Task { [store] in
            for metric in metrics { try await Self.fill(metric, policy: policy, hours: 4, store: store) }
            try await store.deleteMetric(doomed)
        }
        for _ in 0..<3 {
            _ = try await collector.run(
                dryRun: false, historyRetention: nil, output: CollectedMaintenanceOutput())
        }
        try await writing.value
        _ = try await collector.run(
            dryRun: false, historyRetention: nil, output: CollectedMaintenanceOutput())
        store.close()
        store = try FileAggregateStore(directory: root + "/gc/aggregates", options: options)
        defer { store.close() }
        defer { reference.close() }
        #expect(store.storedMetrics() == metrics)
        let reader = SeriesReader(aggregates: store)
        let expected = SeriesReader(aggregates: reference)
        for metric in metrics {
            for target in policy.aggregations {
                let read = try await reader.read(
                    metric: metric, policy: policy, aggregation: target.aggregation,
                    granularity: target.granularity)
                let want = try await expected.read(
                    metric: metric, policy: policy, aggregation: target.aggregation,
                    granularity: target.granularity)
                #expect(read.timestamps == want.timestamps && read.values == want.values)
                #expect(!read.timestamps.isEmpty)
            }
            #expect(try await store.buffer(of: metric) == reference.buffer(of: metric))
        }
        incoming.close()
    }

    @Test func historyOfEndedResourcesPastTheRetentionIsRemoved() async throws {
        let directory = try Self.directory()
        defer { Self.done(directory) }
        let indexer = directory.indexer
        try await indexer.upgrade(createDefaultPolicies: false)
        let collector = GarbageCollector(
            indexer: indexer, incoming: directory.incoming, aggregates: directory.aggregates)
        let ended = try await Self.resourceWithHistory(indexer, ended: true)
        let running = try await Self.resourceWithHistory(indexer, ended: false)
        #expect(try await Self.historyCount(indexer, ended) == 3)
        #expect(try await Self.historyCount(indexer, running) == 2)
        // A retention longer than the revisions' age keeps them.
        let week = try TimeDelta.parseTimespan("7d")
        var report = try await collector.run(
            dryRun: false, historyRetention: week, output: CollectedMaintenanceOutput())
        #expect(report.historyRevisions == 0)
        // Seen from a week later: the ended resource's revisions go, the other's stay.
        let later = Timestamp(nanoseconds: Timestamp.now().nanoseconds + 8 * 24 * Self.hour)
        report = try await collector.run(
            dryRun: true, historyRetention: week, now: later, output: CollectedMaintenanceOutput())
        #expect(report.historyRevisions == 3)
        #expect(try await Self.historyCount(indexer, ended) == 3)
        report = try await collector.run(
            dryRun: false, historyRetention: week, now: later, output: CollectedMaintenanceOutput())
        #expect(report.historyRevisions == 3)
        #expect(try await Self.historyCount(indexer, ended) == 0)
        #expect(try await Self.historyCount(indexer, running) == 2)
        // Without the option history is left alone.
        report = try await collector.run(
            dryRun: true, historyRetention: nil, now: later, output: CollectedMaintenanceOutput())
        #expect(report.historyRevisions == nil)
        #expect(report.lines().contains("resource history: left alone (no --history-retention)"))
    }

    /// A generic resource updated twice (two history revisions), then ended if `ended`.
    static func resourceWithHistory(_ indexer: SQLiteIndexer, ended: Bool) async throws -> ResourceID {
        let id = try #require(ResourceID(UUID().uuidString))
        _ = try await indexer.createResource(
            ResourceCreation(id: id, originalResourceID: id.description, creator: "admin"))
        for user in ["u1", "u2"] {
            var update = ResourceUpdate()
            update.userID = .set(user)
            _ = try await indexer.updateResource(id, type: "generic", update)
        }
        if ended {
            var update = ResourceUpdate()
            update.endedAt = .set(Timestamp.now())
            // Ending is itself a change of attributes: one more revision.
            _ = try await indexer.updateResource(id, type: "generic", update)
        }
        return id
    }

    /// The resource's history rows (revisions before the current one).
    static func historyCount(_ indexer: SQLiteIndexer, _ id: ResourceID) async throws -> Int {
        try await indexer.resources(ResourceQuery(history: true)).filter {
            $0.id == id && $0.revision != Resource.currentRevision
        }.count
    }
}
