public import RondoneIndexer
public import RondoneProcessing
public import RondoneStorage

/// Everything a Rondone process stores into and coordinates through: the index, the
/// incoming store, the aggregate store and the coordinator, opened from settings.
///
/// Every command (`serve`, `api`, `metricd`, `upgrade`) and the test helper build their
/// parts from one value of this type, so a deployment differs from the embedded default
/// only by what ``Backends`` holds, never by how the server is wired. The embedded
/// default is ``embedded(_:)`` (SQLite + files in one data directory).
public struct Backends: Sendable {
    /// Archive policies, rules, resource types, resources and metrics.
    public let indexer: any Indexer
    /// Where posted measures wait, durable, until metricd aggregates them.
    public let incoming: any IncomingStore
    /// Where metricd stores splits and unaggregated buffers, and reads come from.
    public let aggregates: any AggregateStore
    /// Who processes which sack.
    public let coordinator: any Coordinator
    /// Where the data lives, for the start-up log line (a path or URLs without secrets).
    public let location: String
    /// Only this process writes the index (the embedded data directory, which one process
    /// owns), so what it records of its own writes is every change there is.
    public let indexIsExclusive: Bool
    /// The backend an error says is unavailable (the API answers 503), or nil.
    public let unavailable: @Sendable (any Error) -> String?
    /// The embedded default's open data directory (nil for a scaled-out deployment):
    /// `rondone serve` runs maintenance commands on it (the control socket).
    public var dataDirectory: DataDirectory?
    /// Space reclaiming of the backends themselves, run by the janitor every 2 s.
    public let housekeeping: (@Sendable () async -> Void)?
    /// Creates or migrates the stores' own schemas (the index has its own upgrade).
    private let prepare: @Sendable () async throws -> Void
    private let closeAction: @Sendable () async -> Void

    /// Backends of any kind; `close` releases them (after every user has stopped).
    public init(
        indexer: any Indexer, incoming: any IncomingStore, aggregates: any AggregateStore,
        coordinator: any Coordinator, location: String, indexIsExclusive: Bool = false,
        prepare: @escaping @Sendable () async throws -> Void = {},
        housekeeping: (@Sendable () async -> Void)? = nil,
        unavailable: @escaping @Sendable (any Error) -> String? = { _ in nil },
        close: @escaping @Sendable () async -> Void
    ) {
        self.unavailable = unavailable
        self.prepare = prepare
        self.indexer = indexer
        self.incoming = incoming
        self.aggregates = aggregates
        self.coordinator = coordinator
        self.location = location
        self.indexIsExclusive = indexIsExclusive
        self.housekeeping = housekeeping
        self.closeAction = close
    }

    /// The embedded default over an opened data directory: its SQLite index, its file
    /// stores and the in-process coordinator; closing closes the directory.
    public static func embedded(_ directory: DataDirectory) -> Backends {
        var backends = Backends(
            indexer: directory.indexer, incoming: directory.incoming, aggregates: directory.aggregates,
            coordinator: InProcessCoordinator(), location: directory.path, indexIsExclusive: true,
            housekeeping: { [indexer = directory.indexer] in await indexer.truncateIdleWAL() },
            close: { directory.close() })
        backends.dataDirectory = directory
        return backends
    }

    /// Creates or upgrades the stores' schemas and the index schema, as `gnocchi-upgrade`
    /// does; on a new index, `createDefaultPolicies` adds `low`/`medium`/`high`/`bool`
    /// and the default rule.
    public func upgrade(createDefaultPolicies: Bool) async throws {
        try await prepare()
        try await indexer.upgrade(createDefaultPolicies: createDefaultPolicies)
    }

    /// metricd over these backends, taking archive policies from the index.
    public func metricd(options: Metricd.Options = Metricd.Options(), log: @escaping ProcessingLog) -> Metricd
    {
        Metricd(
            incoming: incoming, aggregates: aggregates, catalog: IndexerMetricCatalog(indexer: indexer),
            coordinator: coordinator, options: options, log: log)
    }

    /// The background removal of deleted metrics' data, with the backends' own
    /// housekeeping (the embedded index cuts back its idle write-ahead log).
    public func janitor(log: @escaping ProcessingLog) -> MetricJanitor {
        MetricJanitor(
            deleted: IndexerMetricCatalog(indexer: indexer), incoming: incoming, aggregates: aggregates,
            housekeeping: housekeeping, log: log)
    }

    /// Releases the stores and the index (the embedded default gives its directory up).
    public func close() async {
        await closeAction()
    }
}
