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

/// Takes a claim on a sack (or one metric), runs `MetricProcessor` for each metric it
/// holds, and completes the claim only if every metric succeeded.
///
/// Errors never escape: they are counted and logged, and the claim is released so
/// that its measures are retried; a worker therefore never stops on a bad metric.
struct SackProcessor: Sendable {
    let incoming: any IncomingStore
    let catalog: any MetricCatalog
    let processor: MetricProcessor
    /// Metrics of one claim processed at once, so their file syncs overlap.
    let metricConcurrency: Int
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
    func finish(_ claim: IncomingClaim, stopping: @escaping @Sendable () -> Bool = { false }) async
        -> SackOutcome
    {
        let metrics = claim.measures.keys.sorted()
        let allDone = await withTaskGroup(of: Bool.self) { group -> Bool in
            var next = 0
            var ok = true
            func addNext() -> Bool {
                guard next < metrics.count, !stopping() else { return false }
                let metric = metrics[next]
                let batch = claim.measures[metric]
                next += 1
                group.addTask { await processOne(metric, batch) }
                return true
            }
            for _ in 0..<max(1, metricConcurrency) where !addNext() { break }
            for await success in group {
                ok = ok && success
                _ = addNext()
            }
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

    /// Processes one metric; false if it failed (already counted and logged).
    private func processOne(_ metric: MetricID, _ batch: IncomingBatch?) async -> Bool {
        let count = batch?.timestamps.count ?? 0
        do {
            guard let policy = try await catalog.archivePolicy(of: metric) else {
                // The metric is gone: its measures go with the claim, its data with it.
                try await processor.dropAggregates(of: metric)
                counters.metricDropped(measures: count)
                return true
            }
            if let batch { try await processor.process(metric: metric, policy: policy, measures: batch) }
            counters.metricProcessed(measures: count)
            return true
        } catch {
            counters.error()
            log("Error processing new measures of metric \(metric): \(error)")
            return false
        }
    }
}
