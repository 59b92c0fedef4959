public import RondoneStorage
public import RondoneTimeSeries

/// Where deleted metrics wait for their data to be removed: the index marks a metric
/// deleted at once (the API answers 204), and the janitor removes its data, then the
/// index row, later — Gnocchi's metricd "expunge" of metrics in status `delete`.
public protocol DeletedMetrics: Sendable {
    /// Deleted metrics whose data is still to be removed, at most `limit`.
    func metricsPendingDeletion(limit: Int) async throws -> [MetricID]
    /// Forgets a deleted metric for good, once its data is gone.
    func purge(_ metric: MetricID) async throws
}

/// Removes the data of deleted metrics in the background: their waiting measures,
/// their buffers and splits, then their index rows, in that order, so that a crash at
/// any point leaves the metric still listed as pending and the next pass finishes it.
public actor MetricJanitor {
    private let deleted: any DeletedMetrics
    private let incoming: any IncomingStore
    private let aggregates: any AggregateStore
    private let interval: Duration
    private let housekeeping: (@Sendable () async -> Void)?
    private let housekeepingInterval: Duration
    private let log: ProcessingLog
    private var task: Task<Void, Never>?
    /// Metrics whose data this janitor has removed since it started.
    public private(set) var purged = 0

    /// - Parameter interval: the pause between passes (Gnocchi's
    ///   `metric_cleanup_delay`; a pass right after a deletion is not needed for
    ///   correctness, only for reclaiming space).
    /// - Parameters:
    ///   - housekeeping: other space reclaiming, run every `housekeepingInterval` (the
    ///     server's: cutting back an idle index's write-ahead log).
    public init(
        deleted: any DeletedMetrics, incoming: any IncomingStore, aggregates: any AggregateStore,
        interval: Duration = .seconds(10), housekeeping: (@Sendable () async -> Void)? = nil,
        housekeepingInterval: Duration = .seconds(2), log: @escaping ProcessingLog = { _ in }
    ) {
        self.deleted = deleted
        self.incoming = incoming
        self.aggregates = aggregates
        self.interval = interval
        self.housekeeping = housekeeping
        self.housekeepingInterval = housekeepingInterval
        self.log = log
    }

    /// Starts the periodic passes.
    public func start() {
        guard task == nil else { return }
        task = Task { [interval, housekeeping, housekeepingInterval] in
            let tick = housekeeping == nil ? interval : min(interval, housekeepingInterval)
            var sincePass = interval
            while !Task.isCancelled {
                if sincePass >= interval {
                    _ = await self.runOnce()
                    sincePass = .zero
                }
                await housekeeping?()
                try? await Task.sleep(for: tick)
                sincePass += tick
            }
        }
    }

    /// Stops after the current metric.
    public func stop() async {
        task?.cancel()
        await task?.value
        task = nil
    }

    /// One pass over every pending deletion; returns how many metrics were purged.
    @discardableResult
    public func runOnce() async -> Int {
        var count = 0
        while !Task.isCancelled {
            let pending: [MetricID]
            do {
                pending = try await deleted.metricsPendingDeletion(limit: 100)
            } catch {
                log("janitor: cannot list deleted metrics: \(error)")
                return count
            }
            if pending.isEmpty { break }
            var progressed = false
            for metric in pending {
                if Task.isCancelled { break }
                do {
                    try await incoming.deleteUnprocessed(metric: metric)
                    try await aggregates.deleteMetric(metric)
                    try await deleted.purge(metric)
                    count += 1
                    progressed = true
                } catch {
                    log("janitor: cannot remove the data of deleted metric \(metric): \(error)")
                }
            }
            if !progressed { break }
        }
        purged += count
        return count
    }
}
