import Foundation
import RondoneProcessing
import RondoneStorage
import RondoneTimeSeries
import Synchronization
import Testing

/// Deleted metrics as an index would hold them: pending until purged.
final class DeletedMetricsList: DeletedMetrics {
    let pending: Mutex<[MetricID]>
    init(_ metrics: [MetricID]) { pending = Mutex(metrics) }

    func metricsPendingDeletion(limit: Int) async throws -> [MetricID] {
        pending.withLock { Array($0.prefix(limit)) }
    }

    func purge(_ metric: MetricID) async throws {
        pending.withLock { $0.removeAll { $0 == metric } }
    }
}

@Suite struct MetricJanitorTests {
    @Test func removesTheDataOfDeletedMetricsThenForgetsThem() async throws {
        let fixture = try ProcessingFixture("janitor")
        defer { fixture.remove() }
        let gone = MetricID(high: 7, low: 8)
        let kept = MetricID(high: 9, low: 10)
        let policy = try policy([(1, nil)], methods: ["count"])
        let metricd = fixture.metricd(catalog: InMemoryMetricCatalog([gone: policy, kept: policy]))
        for metric in [gone, kept] {
            try await fixture.incoming.add(
                IncomingBatch(metric: metric, timestamps: [1_000_000_000], values: [1]))
        }
        try await metricd.drain()
        // Measures posted after the deletion must go too.
        try await fixture.incoming.add(IncomingBatch(metric: gone, timestamps: [2_000_000_000], values: [2]))
        let deleted = DeletedMetricsList([gone])
        let janitor = MetricJanitor(
            deleted: deleted, incoming: fixture.incoming, aggregates: fixture.aggregates)

        #expect(await janitor.runOnce() == 1)

        #expect(try await fixture.aggregates.buffer(of: gone) == nil)
        #expect(try await fixture.incoming.hasUnprocessed(metric: gone) == false)
        #expect(try await deleted.metricsPendingDeletion(limit: 10).isEmpty)
        #expect(try await fixture.aggregates.buffer(of: kept) != nil)
        #expect(await janitor.runOnce() == 0)
    }

    /// Housekeeping (the server's idle WAL cut-back) runs at its own, shorter interval;
    /// the deletion passes keep theirs.
    @Test func housekeepingRunsBetweenDeletionPasses() async throws {
        let fixture = try ProcessingFixture("janitor-housekeeping")
        defer { fixture.remove() }
        let first = MetricID(high: 1, low: 2)
        let later = MetricID(high: 3, low: 4)
        let deleted = DeletedMetricsList([first])
        let calls = Atomic<Int>(0)
        let janitor = MetricJanitor(
            deleted: deleted, incoming: fixture.incoming, aggregates: fixture.aggregates,
            interval: .seconds(3600), housekeeping: { calls.add(1, ordering: .relaxed) },
            housekeepingInterval: .milliseconds(10))
        await janitor.start()
        // A bound, not a timing: a loaded machine (parallel builds) slows every pass.
        let deadline = ContinuousClock.now + .seconds(60)
        while calls.load(ordering: .relaxed) < 1 && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        // The first deletion pass ran at start; a deletion after it waits for the next.
        #expect(try await deleted.metricsPendingDeletion(limit: 10).isEmpty)
        deleted.pending.withLock { $0.append(later) }
        let seen = calls.load(ordering: .relaxed)
        while calls.load(ordering: .relaxed) < seen + 3 && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        await janitor.stop()
        #expect(calls.load(ordering: .relaxed) >= seen + 3)
        #expect(try await deleted.metricsPendingDeletion(limit: 10) == [later])
    }
}
