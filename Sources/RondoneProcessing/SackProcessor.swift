import RondoneStorage
import RondoneTimeSeries
import Synchronization

/// What became of one attempt at a sack.
public enum SackOutcome: Equatable, Sendable {
    /// Nothing was waiting.
    case idle
    /// Another claim held the sack (a refresh, or another worker): try later.
    case busy
    /// Every waiting metric was processed (or dropped) and the claim completed.
    case processed(metrics: Int)
    /// Some metric failed, or metricd is stopping: the claim was released, so every
    /// measure of the sack waits for the next attempt (processing is idempotent).
    case released
}

/// Takes a claim on a sack (or one metric), computes each metric's changes with
/// `MetricProcessor`, commits them in batches, and completes the claim only if every
/// metric succeeded and every commit returned.
///
/// Errors never escape: they are counted and logged, and the claim is released so
/// that its measures are retried; a worker therefore never stops on a bad metric.
struct SackProcessor: Sendable {
    let incoming: any IncomingStore
    let catalog: any MetricCatalog
    let processor: MetricProcessor
    /// Metrics of one claim computed at once (their reads overlap).
    let metricConcurrency: Int
    /// Most metrics whose changes go into one `AggregateStore.commit`.
    var commitMetrics = 256
    /// Most blob bytes one commit holds (changes are kept in memory until committed).
    var commitBytes = 64 << 20
    /// Most claims held at once by `process(leases:)`.
    var groupSacks = 32
    let log: ProcessingLog
    /// A full disk refusing this processor's writes (shared by every copy and worker).
    let diskFull = DiskFullEpisode()

    var counters: ProcessingCounters { processor.counters }

    /// Counts a failure and logs it, unless it is a full disk: that is logged once per
    /// episode (``DiskFullEpisode``).
    private func failed(_ error: any Error, _ message: @autoclosure () -> String) {
        counters.error()
        if !diskFull.absorb(error, message(), log: log) { log("\(message()): \(error)") }
    }

    /// One pass over the leased sack. `stopping` is checked before each metric.
    func process(lease: SackLease, stopping: @escaping @Sendable () -> Bool = { false }) async -> SackOutcome
    {
        switch await claim(lease.sack) {
        case .left(let outcome): return outcome
        case .claimed(let claim): return await finish([claim], leases: [lease], stopping: stopping)[0]
        }
    }

    /// One pass over the leased sacks, several claims per commit, each commit fenced by
    /// the leases of its claims: claims are taken until they
    /// hold `commitMetrics` metrics (or `groupSacks` sacks), then processed together.
    /// Many sacks with a few metrics each (the common case: metrics spread over 128
    /// sacks) then share a commit's barriers instead of paying them per sack.
    /// - Returns: whether any claim was completed.
    func process(leases: [SackLease], stopping: @escaping @Sendable () -> Bool = { false }) async -> Bool {
        var group: [IncomingClaim] = []
        var groupLeases: [SackLease] = []
        var metrics = 0
        var completed = false
        func finishGroup() async {
            guard !group.isEmpty else { return }
            let outcomes = await finish(group, leases: groupLeases, stopping: stopping)
            if outcomes.contains(where: { if case .processed = $0 { true } else { false } }) {
                completed = true
            }
            group = []
            groupLeases = []
            metrics = 0
        }
        for lease in leases {
            if stopping() { break }
            guard case .claimed(let claim) = await claim(lease.sack) else { continue }
            group.append(claim)
            groupLeases.append(lease)
            metrics += claim.measures.count
            if metrics >= commitMetrics || group.count >= groupSacks { await finishGroup() }
        }
        await finishGroup()
        return completed
    }

    private enum Claimed {
        case claimed(IncomingClaim)
        case left(SackOutcome)
    }

    /// A claim on `sack` if anything waits there and no one else holds it.
    private func claim(_ sack: Int) async -> Claimed {
        do {
            guard !(try await incoming.backlog(sack: sack)).isEmpty else { return .left(.idle) }
        } catch {
            counters.error()
            log("Unable to read the backlog of sack \(sack): \(error)")
            return .left(.released)
        }
        do {
            return .claimed(try await incoming.claim(sack: sack))
        } catch StorageError.claimOutstanding {
            return .left(.busy)
        } catch {
            failed(error, "Unable to claim sack \(sack)")
            return .left(.released)
        }
    }

    /// Processes what the claims hold, then completes them all or releases them all.
    /// Every commit carries `leases` (those of the claims' sacks): a shared store
    /// refuses it once a lease is lost, and the claims are then released.
    ///
    /// Metrics are computed a few at once and their changes committed together, at
    /// most `commitMetrics` metrics or `commitBytes` bytes per commit: one durable
    /// commit for many metrics instead of syncs per file. A claim is completed only
    /// after the last commit returned, so every change is durable before its measures
    /// are removed (docs/PROCESSING.md). Any failure releases every claim of the call.
    func finish(
        _ claims: [IncomingClaim], leases: [SackLease], stopping: @escaping @Sendable () -> Bool = { false }
    ) async -> [SackOutcome] {
        let work = claims.flatMap { claim in claim.measures.keys.sorted().map { (claim.measures[$0], $0) } }
        // Every policy of the group in one index read, not one read per metric.
        let policies: [MetricID: ArchivePolicy]
        do {
            policies = try await catalog.archivePolicies(of: work.map(\.1))
        } catch {
            counters.error()
            log("Unable to read the archive policies of \(work.count) metrics: \(error)")
            for claim in claims { await incoming.release(claim) }
            return claims.map { _ in .released }
        }
        let allDone = await withTaskGroup(of: MetricResult.self) { group -> Bool in
            var next = 0
            var ok = true
            var pending: [MetricChanges] = []
            var pendingMeasures: [Int] = []
            var pendingBytes = 0
            func addNext() -> Bool {
                guard ok, next < work.count, !stopping() else { return false }
                let (batch, metric) = work[next]
                next += 1
                let policy = policies[metric]
                group.addTask { await compute(metric, batch, policy: policy) }
                return true
            }
            func commitPending() async {
                guard ok, !pending.isEmpty else { return }
                do {
                    try await processor.aggregates.commit(pending, fencedBy: leases)
                    diskFull.succeeded(log: log)
                    for count in pendingMeasures { counters.metricProcessed(measures: count) }
                } catch {
                    let others = pending.count > 1 ? " and \(pending.count - 1) more of its commit" : ""
                    failed(error, "Error processing new measures of metric \(pending[0].metric)\(others)")
                    ok = false
                }
                pending = []
                pendingMeasures = []
                pendingBytes = 0
            }
            for _ in 0..<max(1, metricConcurrency) where !addNext() { break }
            for await result in group {
                switch result {
                case .failed: ok = false
                case .dropped: break
                case .computed(let changes, let measures):
                    if let changes {
                        pending.append(changes)
                        pendingBytes += changes.byteCount
                    }
                    pendingMeasures.append(measures)
                    if pending.count >= commitMetrics || pendingBytes >= commitBytes { await commitPending() }
                }
                _ = addNext()
            }
            await commitPending()
            return ok && next == work.count
        }
        guard allDone else {
            for claim in claims { await incoming.release(claim) }
            return claims.map { _ in .released }
        }
        // Completions are independent (one sack each): their syncs overlap.
        return await withTaskGroup(of: (Int, SackOutcome).self) { group in
            for (index, claim) in claims.enumerated() {
                group.addTask { (index, await complete(claim)) }
            }
            var outcomes = [SackOutcome](repeating: .released, count: claims.count)
            for await (index, outcome) in group { outcomes[index] = outcome }
            return outcomes
        }
    }

    private func complete(_ claim: IncomingClaim) async -> SackOutcome {
        do {
            try await incoming.complete(claim)
        } catch {
            failed(error, "Unable to complete the claim on sack \(claim.sack)")
            await incoming.release(claim)
            return .released
        }
        if claim.metric == nil { counters.sackProcessed() }
        return .processed(metrics: claim.measures.count)
    }

    /// What computing one metric gave.
    private enum MetricResult: Sendable {
        /// Changes to commit (nil: nothing to write) and the measures they hold.
        case computed(MetricChanges?, measures: Int)
        /// The metric no longer exists; its data is already gone.
        case dropped
        /// Already counted and logged.
        case failed
    }

    /// Computes one metric's changes, or drops a deleted metric's data (no policy: the
    /// index no longer has the metric).
    private func compute(_ metric: MetricID, _ batch: IncomingBatch?, policy: ArchivePolicy?) async
        -> MetricResult
    {
        let count = batch?.timestamps.count ?? 0
        do {
            guard let policy else {
                // The metric is gone: its measures go with the claim, its data with it.
                try await processor.dropAggregates(of: metric)
                counters.metricDropped(measures: count)
                return .dropped
            }
            guard let batch else { return .computed(nil, measures: 0) }
            let changes = try await processor.changes(
                metric: metric, policy: policy,
                batch: MeasureBatch(timestamps: batch.timestamps, values: batch.values))
            return .computed(changes, measures: count)
        } catch {
            failed(error, "Error processing new measures of metric \(metric)")
            return .failed
        }
    }
}
