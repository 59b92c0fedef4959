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
    let log: ProcessingLog

    var counters: ProcessingCounters { processor.counters }

    /// One pass over `sack`. `stopping` is checked before each metric.
    func process(sack: Int, stopping: @escaping @Sendable () -> Bool = { false }) async -> SackOutcome {
        do {
            guard !(try await incoming.backlog(sack: sack)).isEmpty else { return .idle }
        } catch {
            counters.error()
            log("Unable to read the backlog of sack \(sack): \(error)")
            return .released
        }
        let claim: IncomingClaim
        do {
            claim = try await incoming.claim(sack: sack)
        } catch StorageError.claimOutstanding {
            return .busy
        } catch {
            counters.error()
            log("Unable to claim sack \(sack): \(error)")
            return .released
        }
        return await finish(claim, stopping: stopping)
    }

    /// Processes what `claim` holds, then completes or releases it.
    ///
    /// Metrics are computed a few at once and their changes committed together, at
    /// most `commitMetrics` metrics or `commitBytes` bytes per commit: one durable
    /// commit for many metrics instead of syncs per file. The claim is completed only
    /// after the last commit returned, so every change is durable before its measures
    /// are removed (docs/PROCESSING.md).
    func finish(_ claim: IncomingClaim, stopping: @escaping @Sendable () -> Bool = { false }) async
        -> SackOutcome
    {
        let metrics = claim.measures.keys.sorted()
        let allDone = await withTaskGroup(of: MetricResult.self) { group -> Bool in
            var next = 0
            var ok = true
            var pending: [MetricChanges] = []
            var pendingMeasures: [Int] = []
            var pendingBytes = 0
            func addNext() -> Bool {
                guard ok, next < metrics.count, !stopping() else { return false }
                let metric = metrics[next]
                let batch = claim.measures[metric]
                next += 1
                group.addTask { await compute(metric, batch) }
                return true
            }
            func commitPending() async {
                guard ok, !pending.isEmpty else { return }
                do {
                    try await processor.aggregates.commit(pending)
                    for count in pendingMeasures { counters.metricProcessed(measures: count) }
                } catch {
                    counters.error()
                    let others = pending.count > 1 ? " and \(pending.count - 1) more of its commit" : ""
                    log("Error processing new measures of metric \(pending[0].metric)\(others): \(error)")
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
            return ok && next == metrics.count
        }
        guard allDone else {
            await incoming.release(claim)
            return .released
        }
        do {
            try await incoming.complete(claim)
        } catch {
            counters.error()
            log("Unable to complete the claim on sack \(claim.sack): \(error)")
            await incoming.release(claim)
            return .released
        }
        if claim.metric == nil { counters.sackProcessed() }
        return .processed(metrics: metrics.count)
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

    /// Computes one metric's changes, or drops a deleted metric's data.
    private func compute(_ metric: MetricID, _ batch: IncomingBatch?) async -> MetricResult {
        let count = batch?.timestamps.count ?? 0
        do {
            guard let policy = try await catalog.archivePolicy(of: metric) else {
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
            counters.error()
            log("Error processing new measures of metric \(metric): \(error)")
            return .failed
        }
    }
}
