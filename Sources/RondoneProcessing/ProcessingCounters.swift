import Synchronization

/// Running totals of what metricd did, shared by its workers and read by the status.
///
/// Updated once per processed metric (never per measure), under a mutex: the cost is
/// nothing next to the file writes of a metric. Rates come from 60 one-second buckets
/// so "per second over the last minute" needs no history list.
public final class ProcessingCounters: Sendable {
    struct Totals {
        var metricsProcessed = 0
        var measuresProcessed = 0
        var sacksProcessed = 0
        var errors = 0
        var corruptBuffers = 0
        var corruptSplits = 0
        var metricsDropped = 0
        var measuresDropped = 0
        /// Per second number (since `start`), the metrics and measures processed.
        var buckets = [Bucket](repeating: Bucket(), count: ProcessingCounters.window)
    }

    struct Bucket {
        var second: Int64 = -1
        var metrics = 0
        var measures = 0
    }

    static let window = 60
    private let start = ContinuousClock.now
    private let totals = Mutex(Totals())

    public init() {}

    private func secondNow() -> Int64 {
        (ContinuousClock.now - start).components.seconds
    }

    /// One metric's measures were aggregated and stored.
    func metricProcessed(measures: Int) {
        let second = secondNow()
        totals.withLock { totals in
            totals.metricsProcessed += 1
            totals.measuresProcessed += measures
            let slot = Int(second % Int64(Self.window))
            if totals.buckets[slot].second != second { totals.buckets[slot] = Bucket(second: second) }
            totals.buckets[slot].metrics += 1
            totals.buckets[slot].measures += measures
        }
    }

    func sackProcessed() { totals.withLock { $0.sacksProcessed += 1 } }
    func error() { totals.withLock { $0.errors += 1 } }
    func corruptBuffer() { totals.withLock { $0.corruptBuffers += 1 } }
    /// A stored split failed to decode (found by processing or by a reader of the same
    /// process, which the composition wires here).
    public func corruptSplit() { totals.withLock { $0.corruptSplits += 1 } }

    /// Measures of a metric that no longer exists were discarded.
    func metricDropped(measures: Int) {
        totals.withLock {
            $0.metricsDropped += 1
            $0.measuresDropped += measures
        }
    }

    /// A consistent copy of the totals and the rates over the last minute.
    public func snapshot() -> ProcessingRates {
        let second = secondNow()
        return totals.withLock { totals in
            var metrics = 0
            var measures = 0
            for bucket in totals.buckets where bucket.second > second - Int64(Self.window) {
                metrics += bucket.metrics
                measures += bucket.measures
            }
            // A young process divides by its age, so the first minute is not understated.
            let span = Double(min(Int64(Self.window), max(1, second + 1)))
            return ProcessingRates(
                metricsProcessed: totals.metricsProcessed, measuresProcessed: totals.measuresProcessed,
                sacksProcessed: totals.sacksProcessed,
                metricsPerSecond: Double(metrics) / span, measuresPerSecond: Double(measures) / span,
                errors: totals.errors, corruptBuffers: totals.corruptBuffers,
                corruptSplits: totals.corruptSplits, metricsDropped: totals.metricsDropped,
                measuresDropped: totals.measuresDropped)
        }
    }
}

/// What metricd has done since it started: totals, and rates over the last minute.
public struct ProcessingRates: Equatable, Sendable {
    /// Metric processing steps that stored their results.
    public var metricsProcessed: Int
    /// Points (as posted, duplicates included) in those steps.
    public var measuresProcessed: Int
    /// Sack claims completed.
    public var sacksProcessed: Int
    /// Average metrics processed per second over the last minute.
    public var metricsPerSecond: Double
    /// Average measures processed per second over the last minute.
    public var measuresPerSecond: Double
    /// Processing steps that failed (their measures stay waiting and are retried).
    public var errors: Int
    /// Unaggregated buffers that failed to decode and were started anew.
    public var corruptBuffers: Int
    /// Stored splits that failed to decode (treated as empty, as Gnocchi does).
    public var corruptSplits: Int
    /// Metrics whose waiting measures were discarded because the metric is gone.
    public var metricsDropped: Int
    /// Points discarded with them.
    public var measuresDropped: Int
}
