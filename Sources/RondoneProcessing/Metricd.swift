import RondoneStorage
import RondoneTimeSeries
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// metricd: workers that turn waiting measures into stored aggregates.
///
/// Each worker owns the sacks the `Coordinator` gives it and loops over them: sacks
/// with a backlog are claimed, a few together, their metrics processed
/// (`MetricProcessor`) and committed together, and the claims completed; when a whole round found nothing, the worker sleeps for the
/// processing delay or until `wake()` says new measures arrived. `processNow(metric:)`
/// serves `?refresh=true`. Guarantees:
/// * a measure acknowledged by the incoming store is aggregated at least once and,
///   because processing is idempotent per time stamp, counted once;
/// * an error on one metric never stops a worker: it is counted and logged, and the
///   sack's claim is released so its measures are retried;
/// * `stop()` returns once every worker has finished the metric it was on.
public actor Metricd {
    /// Tuning knobs; the defaults suit `rondone serve`.
    public struct Options: Sendable {
        /// How long an idle worker sleeps between rounds (Gnocchi's
        /// `metric_processing_delay`, whose default there is 60 s; 1 s here).
        public var processingDelay: Duration
        /// How long `processNow` waits for a busy sack before giving up (Gnocchi's
        /// `api.operation_timeout`, 10 s).
        public var refreshTimeout: Duration
        /// Metrics of one sack processed concurrently by a worker.
        public var metricConcurrency: Int

        public init(
            processingDelay: Duration = .seconds(1), refreshTimeout: Duration = .seconds(10),
            metricConcurrency: Int = 4
        ) {
            self.processingDelay = processingDelay
            self.refreshTimeout = refreshTimeout
            self.metricConcurrency = metricConcurrency
        }
    }

    /// One worker per two online cores (at least one).
    ///
    /// Gnocchi runs one process per core because a Python worker uses one core; a
    /// worker here already computes `metricConcurrency` metrics at once on every core
    /// and commits them together. On 2 cores, with the API taking measures at the same
    /// time, one worker processed faster than two (568 k against 518 k measures/s at
    /// 10 000 metrics) and left the API more CPU (781 k against 686 k measures/s
    /// acknowledged): a second worker only added commits and contention.
    public static var defaultWorkerCount: Int {
        max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))) / 2)
    }

    /// What metricd has done so far; shared with anyone who wants to read it.
    public nonisolated let counters: ProcessingCounters
    /// The per-metric step, also used to read aggregates.
    public nonisolated let processor: MetricProcessor
    nonisolated let incoming: any IncomingStore
    nonisolated let coordinator: any Coordinator
    nonisolated let options: Options
    nonisolated let sacks: SackProcessor
    /// Wake-ups of the running workers (read by `wake()` from any thread).
    private nonisolated let signals = Mutex<[WakeSignal]>([])
    private var workers: [Task<Void, Never>] = []
    private var stopFlag = StopFlag()

    public init(
        incoming: any IncomingStore, aggregates: any AggregateStore, catalog: any MetricCatalog,
        coordinator: any Coordinator = InProcessCoordinator(), options: Options = Options(),
        log: @escaping ProcessingLog = { _ in }
    ) {
        let counters = ProcessingCounters()
        let processor = MetricProcessor(aggregates: aggregates, counters: counters, log: log)
        self.counters = counters
        self.processor = processor
        self.incoming = incoming
        self.coordinator = coordinator
        self.options = options
        self.sacks = SackProcessor(
            incoming: incoming, catalog: catalog, processor: processor,
            metricConcurrency: options.metricConcurrency, log: log)
    }

    /// Joins the coordinator's deployment and starts `workers` workers (does nothing if
    /// already running).
    ///
    /// - Throws: the coordinator's error when it cannot be joined.
    public func start(workers count: Int = Metricd.defaultWorkerCount) async throws {
        guard workers.isEmpty else { return }
        let count = max(1, count)
        try await coordinator.join(workers: count) { [self] in self.wake() }
        let flag = StopFlag()
        stopFlag = flag
        let newSignals = (0..<count).map { _ in WakeSignal() }
        signals.withLock { $0 = newSignals }
        workers = (0..<count).map { worker in
            let loop = WorkerLoop(
                worker: worker, workers: count, sacks: sacks, coordinator: coordinator,
                sackCount: incoming.sackCount, delay: options.processingDelay, signal: newSignals[worker],
                stop: flag)
            // Background priority: the API's acknowledgements go first, processing takes
            // the CPU they leave (most of it: ingest waits on syncs). On 2 cores, batch
            // ingest went from 770–830 k to 890–990 k measures/s acknowledged, and the
            // backlog still emptied within a second of the end of ingest.
            return Task(priority: .background) { await loop.run() }
        }
    }

    /// Asks the workers to stop after their current metric, waits for them, and leaves
    /// the coordinator's deployment (the sacks go to the other members at once).
    public func stop() async {
        let running = workers
        workers = []
        stopFlag.set()
        for signal in signals.withLock({ $0 }) { signal.signal() }
        for task in running { await task.value }
        signals.withLock { $0 = [] }
        if !running.isEmpty { await coordinator.leave() }
    }

    /// Tells idle workers that measures arrived, so they look now rather than after
    /// their delay (Gnocchi's `greedy` mode). Cheap: call it after every add.
    public nonisolated func wake() {
        for signal in signals.withLock({ $0 }) { signal.signal() }
    }

    /// Processes the waiting measures of one metric now (`?refresh=true`).
    ///
    /// If a worker holds the metric's sack, waits for it (it is processing the metric
    /// anyway) and retries, up to `refreshTimeout`. A processing error is logged and
    /// counted, not thrown, as Gnocchi does; the measures then stay waiting.
    ///
    /// - Returns: whether the metric's waiting measures were processed (false if none
    ///   were waiting or processing failed).
    /// - Throws: `ProcessingError.metricLocked` when the sack stayed busy.
    @discardableResult
    public nonisolated func processNow(metric: MetricID) async throws -> Bool {
        let deadline = ContinuousClock.now + options.refreshTimeout
        let sack = metric.sack(among: incoming.sackCount)
        var pause = Duration.milliseconds(1)
        while true {
            guard try await incoming.hasUnprocessed(metric: metric) else { return false }
            // Another member holding the sack has been asked to look at it now: wait
            // for its backlog to go, as for a busy claim here.
            if let lease = try await coordinator.lease(sack: sack) {
                do {
                    let claim = try await incoming.claim(metric: metric)
                    let outcome = await sacks.finish([claim], leases: [lease])[0]
                    await coordinator.release(lease)
                    return outcome != .released
                } catch StorageError.claimOutstanding {
                    await coordinator.release(lease)
                } catch {
                    await coordinator.release(lease)
                    throw error
                }
            }
            guard ContinuousClock.now < deadline else { throw ProcessingError.metricLocked(metric) }
            try await Task.sleep(for: pause)
            pause = min(pause * 2, .milliseconds(50))
        }
    }

    /// One pass over `sack`, outside the workers (tests, tools, a drain at shutdown),
    /// under a lease of the coordinator (`.busy` when another member holds it).
    public nonisolated func process(sack: Int) async -> SackOutcome {
        guard let lease = try? await coordinator.lease(sack: sack) else { return .busy }
        let outcome = await sacks.process(lease: lease)
        await coordinator.release(lease)
        return outcome
    }

    /// Passes over every sack until nothing waits (or only failing metrics do, after
    /// `maxRounds` rounds). For a start-up catch-up, tests and the benchmark.
    public nonisolated func drain(maxRounds: Int = 10) async throws {
        for _ in 0..<maxRounds {
            var leases: [SackLease] = []
            for sack in 0..<incoming.sackCount {
                if let lease = try await coordinator.lease(sack: sack) { leases.append(lease) }
            }
            _ = await sacks.process(leases: leases)
            for lease in leases { await coordinator.release(lease) }
            if try await incoming.backlogSummary().batches == 0 { return }
        }
    }

    /// The backlog and the processing figures; `details` adds the per-metric backlog.
    public func status(details: Bool = false) async throws -> MetricdStatus {
        let summary = try await incoming.backlogSummary()
        var perMetric: [MetricID: PendingCount]?
        if details {
            var all: [MetricID: PendingCount] = [:]
            for (sack, totals) in summary.sacks.enumerated() where totals.metrics > 0 {
                all.merge(try await incoming.backlog(sack: sack)) { $1 }
            }
            perMetric = all
        }
        return MetricdStatus(
            backlog: summary, perMetric: perMetric, processing: counters.snapshot(), workers: workers.count)
    }
}

/// Set once when metricd stops; read by workers between metrics.
final class StopFlag: Sendable {
    private let value = Atomic<Bool>(false)
    func set() { value.store(true, ordering: .relaxed) }
    var isSet: Bool { value.load(ordering: .relaxed) }
}

/// One worker's loop over its sacks.
struct WorkerLoop: Sendable {
    let worker: Int
    let workers: Int
    let sacks: SackProcessor
    let coordinator: any Coordinator
    let sackCount: Int
    let delay: Duration
    let signal: WakeSignal
    let stop: StopFlag

    func run() async {
        let stop = self.stop
        while !stop.isSet {
            var worked = false
            do {
                let owned = try await coordinator.sacks(for: worker, of: workers, sackCount: sackCount)
                // Only a completed claim counts as work: a failing sack must not
                // make the worker spin on it without its delay.
                if await sacks.process(leases: owned, stopping: { stop.isSet }) { worked = true }
            } catch {
                sacks.counters.error()
                sacks.log("Unable to get the sacks of worker \(worker): \(error)")
            }
            if let pause = sacks.diskFull.pause {
                // A full disk: wait the back-off out (new measures do not shorten it),
                // then try again; the episode ends with the first write that succeeds.
                let until = ContinuousClock.now + pause
                while !stop.isSet && ContinuousClock.now < until { await signal.wait(timeout: until - .now) }
            } else if !worked && !stop.isSet {
                await signal.wait(timeout: delay)
            }
        }
    }
}
