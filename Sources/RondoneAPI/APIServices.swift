public import Prometheus
public import RondoneIndexer
import RondoneJSON
public import RondoneQuery
public import RondoneStorage
public import RondoneTimeSeries

/// What the API layer needs from the rest of Rondone. A server is always fully wired:
/// every route is mounted and every service is real (``RondoneServer`` builds them from
/// a data directory, for `rondone serve` and for the tests alike).
public struct APIServices: Sendable {
    /// Backlog and processing state for `/v1/status`.
    public var status: any StatusProvider
    /// Archive policies, rules, resources and metrics. When it is an ``ObservedIndexer``,
    /// readers that keep copies of the index (the Prometheus API's series catalog) apply
    /// its recorded changes instead of reading everything again.
    public var indexer: any Indexer
    /// Only this process writes the index, so an ``ObservedIndexer``'s feed holds every
    /// change: copies need not also expire with time.
    public var indexIsExclusive: Bool
    /// Where posted measures are made durable before the 202.
    public var incoming: any IncomingStore
    /// The read path: stored aggregates straight from the aggregate store.
    public var reader: SeriesReader
    /// `?refresh=true`: processes a metric's waiting measures before it is read.
    public var refresh: any RefreshProcessor
    /// Called after measures are made durable, so idle processing looks now.
    public var wake: @Sendable () -> Void
    /// The server's own metrics, served at `/metrics`: the HTTP requests' and those of
    /// every other part of the process that counts (the statsd listener).
    public var registry: PrometheusCollectorRegistry
    /// The backend an error says is unavailable (a database restarting, an object
    /// store answering 503 beyond its retries), or nil: those requests are answered 503.
    /// The composition root knows the drivers' errors; the API does not.
    public var unavailable: @Sendable (any Error) -> String?
    /// Where an error says a disk is full (a file's path, the index), or nil: those
    /// requests are answered 507 (Rondone's). By default the stores' own full-disk
    /// error; the composition root adds the index drivers'.
    public var diskFull: @Sendable (any Error) -> String? = StorageFailure.diskFullLocation(of:)

    public init(
        status: any StatusProvider, indexer: any Indexer, incoming: any IncomingStore, reader: SeriesReader,
        refresh: any RefreshProcessor, wake: @escaping @Sendable () -> Void, indexIsExclusive: Bool = false,
        registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(),
        unavailable: @escaping @Sendable (any Error) -> String? = { _ in nil }
    ) {
        self.registry = registry
        self.unavailable = unavailable
        self.status = status
        self.indexer = indexer
        self.indexIsExclusive = indexIsExclusive
        self.incoming = incoming
        self.reader = reader
        self.refresh = refresh
        self.wake = wake
    }
}

/// "Process this metric now", the one way a read asks processing for anything
/// (`?refresh=true`). Reading itself never needs it (``SeriesReader``).
public protocol RefreshProcessor: Sendable {
    /// Processes the metric's waiting measures, if any, before returning. A processing
    /// failure is logged, not thrown (Gnocchi's behaviour: the measures stay waiting).
    ///
    /// - Throws: `ProcessingError.metricLocked` when another worker holds the metric
    ///   for longer than the refresh timeout (the API answers 503).
    func refresh(_ metric: MetricID) async throws
}

/// The processing backlog and metricd state, as `/v1/status` reports it.
public protocol StatusProvider: Sendable {
    /// Current backlog; `details` asks for the per-metric counts too.
    func status(details: Bool) async throws -> ServiceStatus
}

/// The content of `/v1/status`.
public struct ServiceStatus: Sendable, Equatable {
    /// Metrics with measures waiting to be processed.
    public var metricsWithBacklog: Int
    /// Measures waiting to be processed.
    public var measuresInBacklog: Int
    /// Per-metric pending measure counts (`measures_to_process`); `nil` without `details`.
    public var measuresToProcess: [(metric: String, measures: Int)]?
    /// The metricd processors' names, or `nil` when unknown (Gnocchi: `null`).
    public var processors: [String]?
    /// Per-processor statistics (`metricd.statistics`), processor → document.
    public var statistics: [(processor: String, value: JSONValue)]

    public init(
        metricsWithBacklog: Int = 0, measuresInBacklog: Int = 0,
        measuresToProcess: [(metric: String, measures: Int)]? = nil, processors: [String]? = nil,
        statistics: [(processor: String, value: JSONValue)] = []
    ) {
        self.metricsWithBacklog = metricsWithBacklog
        self.measuresInBacklog = measuresInBacklog
        self.measuresToProcess = measuresToProcess
        self.processors = processors
        self.statistics = statistics
    }

    public static func == (lhs: ServiceStatus, rhs: ServiceStatus) -> Bool {
        lhs.json == rhs.json
    }

    /// The document Gnocchi answers.
    public var json: JSONValue {
        var storage: [(String, JSONValue)] = [
            (
                "summary",
                .object([
                    ("metrics", .int(Int64(metricsWithBacklog))),
                    ("measures", .int(Int64(measuresInBacklog))),
                ])
            )
        ]
        if let measuresToProcess {
            storage.append(
                (
                    "measures_to_process",
                    .object(measuresToProcess.map { ($0.metric, .int(Int64($0.measures))) })
                ))
        }
        let metricd: JSONValue = .object([
            ("processors", processors.map { .array($0.map { .string($0) }) } ?? .null),
            ("statistics", .object(statistics.map { ($0.processor, $0.value) })),
        ])
        return .object([("storage", .object(storage)), ("metricd", metricd)])
    }
}
