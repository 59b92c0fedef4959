import ArgumentParser
import Logging
import RondoneAPI
import RondoneIngest
import RondoneProcessing
import RondoneServer

/// `rondone serve`: everything in one process — the HTTP API, the metricd workers and
/// the janitor — on the embedded default (SQLite index and file stores), or on the
/// shared backends of a scaled-out deployment when given their URLs.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the API, the index and the processing workers in one process.",
        discussion: """
            Every option can also come from a configuration file (--config FILE, lines of \
            `option = value` with the long option name, e.g. `port = 8041`) or from an \
            environment variable RONDONE_<OPTION> (e.g. RONDONE_MAX_LIMIT=7, \
            RONDONE_PROXY_HEADERS=true). The command line wins over the environment, which \
            wins over the file.
            """
    )

    @OptionGroup var storage: StorageOptions
    @OptionGroup var api: APIOptions
    @OptionGroup var statsd: StatsdOptions

    func validate() throws {
        if statsd.statsdPort != nil { _ = try statsd.settings(defaultPort: 8125) }
    }

    func run() async throws {
        let logger = api.logger(label: "rondone")
        let configuration = try api.configuration(logger: logger)
        let backends = try await storage.open(logger: logger)
        let server = RondoneServer(backends: backends, logger: logger)
        try await server.start(workers: storage.workers ?? Metricd.defaultWorkerCount)
        let application = try server.application(configuration: configuration)
        let control = ControlSocketServer.start(for: backends, logger: logger)
        var listener: StatsdListener?
        if statsd.statsdPort != nil {
            listener = try await server.startStatsd(
                settings: try statsd.settings(defaultPort: 8125), logger: api.logger(label: "rondone.statsd"))
        }
        logger.info(
            "rondone \(RondoneVersion.current) serving \(backends.location) on \(api.scheme(configuration))://\(api.host):\(api.port)"
        )
        // Returns after SIGINT/SIGTERM once in-flight requests are done.
        try await application.runService()
        await control?.stop()
        // What statsd received last is flushed while the index and stores are still open.
        await listener?.stop()
        await server.stop()
        await backends.close()
        logger.info("rondone stopped")
    }
}
