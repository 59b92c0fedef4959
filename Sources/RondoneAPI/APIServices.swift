import RondoneIndexer
import RondoneProcessing
import RondoneStorage

/// What the API layer needs from the rest of Rondone. Each controller takes only the
/// service it uses; services not yet built are `nil` and their routes are not mounted.
public struct APIServices: Sendable {
    /// Backlog and processing state for `/v1/status`.
    public var status: (any StatusProvider)?
    /// Archive policies, rules and metrics.
    public var indexer: (any Indexer)?
    /// Where posted measures are made durable before the 202.
    public var incoming: (any IncomingStore)?
    /// The processing workers: woken after a POST, asked to process one metric for
    /// `?refresh=true`, and the reader of stored aggregates.
    public var metricd: Metricd?

    public init(
        status: (any StatusProvider)? = nil, indexer: (any Indexer)? = nil,
        incoming: (any IncomingStore)? = nil, metricd: Metricd? = nil
    ) {
        self.status = status
        self.indexer = indexer
        self.incoming = incoming
        self.metricd = metricd
    }
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

/// A status provider for a server without processing yet: an empty backlog, no
/// processors (what Gnocchi answers on an idle, empty deployment).
public struct EmptyStatusProvider: StatusProvider {
    public init() {}

    public func status(details: Bool) async throws -> ServiceStatus {
        ServiceStatus(measuresToProcess: details ? [] : nil)
    }
}
