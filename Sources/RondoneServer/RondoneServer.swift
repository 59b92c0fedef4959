public import Hummingbird
public import Logging
public import RondoneAPI
import RondoneIndexer
public import RondoneIngest
public import RondoneProcessing
public import RondoneQuery

/// The one composition place: a whole server built from opened ``Backends`` — index,
/// stores, coordinator, metricd, the janitor, the reader and the API services wired to
/// them. `rondone serve` and the API test helper both build their server here, so tests
/// run exactly what users run.
///
/// Reads go through ``reader`` straight to the aggregate store, never through metricd:
/// a server whose workers are not started (`start(workers: 0)`) still answers every
/// read; only `?refresh=true` and the wake-up after a POST go to metricd.
public struct RondoneServer: Sendable {
    /// Where everything lives.
    public let backends: Backends
    /// The processing workers (started by ``start(workers:)``).
    public let metricd: Metricd
    /// Removes deleted metrics' data in the background.
    public let janitor: MetricJanitor
    /// The read path of every endpoint.
    public let reader: SeriesReader
    /// What the API is built with; a test may replace a service before building.
    public var services: APIServices

    /// Wires a server over `backends`; nothing runs until ``start(workers:)``.
    /// Processing events and corrupt data found by reads are logged to `logger`.
    public init(
        backends: Backends, metricd options: Metricd.Options = Metricd.Options(), logger: Logger
    ) {
        let metricd = backends.metricd(
            options: options, log: { logger.info("\($0)", metadata: ["component": "metricd"]) })
        let counters = metricd.counters
        let reader = SeriesReader(
            aggregates: backends.aggregates,
            onCorruptSplit: { corrupt in
                counters.corruptSplit()
                logger.error("\(corrupt)", metadata: ["component": "reader"])
            })
        self.backends = backends
        self.metricd = metricd
        self.janitor = backends.janitor(log: { logger.info("\($0)", metadata: ["component": "janitor"]) })
        self.reader = reader
        self.services = APIServices(
            status: MetricdStatusProvider(metricd: metricd, coordinator: backends.coordinator),
            indexer: ObservedIndexer(backends.indexer),
            incoming: backends.incoming, reader: reader, refresh: metricd, wake: { metricd.wake() },
            indexIsExclusive: backends.indexIsExclusive,
            unavailable: backends.unavailable)
        self.services.diskFull = { [location = backends.location] error in
            DiskFullErrors.location(of: error, index: location)
        }
    }

    /// Starts `workers` metricd workers (none with 0: measures then wait for a
    /// `refresh=true` or another process) and the janitor.
    ///
    /// - Throws: the coordinator's error when its deployment cannot be joined.
    public func start(workers: Int) async throws {
        if workers > 0 { try await metricd.start(workers: workers) }
        await janitor.start()
    }

    /// The HTTP application serving ``services`` with `configuration`; `onServerRunning`
    /// is called with the bound port once it is bound.
    public func application(
        configuration: APIConfiguration,
        onServerRunning: @escaping @Sendable (_ port: Int?) async -> Void = { _ in }
    ) throws -> some ApplicationProtocol {
        try RondoneApplication.build(
            configuration: configuration, services: services, onServerRunning: onServerRunning)
    }

    /// Starts the statsd listener of `settings`, writing into this server's index and
    /// incoming store and counting in its `/metrics`. Stop it (``StatsdListener/stop()``,
    /// which flushes what is pending) before ``stop()``.
    public func startStatsd(settings: StatsdSettings, logger: Logger) async throws -> StatsdListener {
        let sink = try StatsdIndexSink(settings: settings, services: services, logger: logger)
        return try await StatsdListener.start(
            settings: settings, sink: sink, registry: services.registry, logger: logger)
    }

    /// Stops the janitor and the workers (each finishes the metric it is on). The
    /// backends stay open: close them with `backends.close()`.
    public func stop() async {
        await janitor.stop()
        await metricd.stop()
    }
}
