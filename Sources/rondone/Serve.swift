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
        try api.checkFiles()
        try storage.checkDataDirectory()
        let configuration = try api.configuration(logger: logger)
        let backends = try await storage.open(logger: logger)
        let server = RondoneServer(backends: backends, logger: logger)
        var control: ControlSocketServer?
        var listener: StatsdListener?
        do {
            if statsd.statsdPort != nil {
                let settings = try statsd.settings(defaultPort: 8125)
                do {
                    listener = try await server.startStatsd(
                        settings: settings, logger: api.logger(label: "rondone.statsd"))
                } catch {
                    throw StartupFailure.listening(
                        error, what: "statsd", transport: "UDP", host: settings.host, port: settings.port,
                        option: "statsd-port") ?? error
                }
            }
            try await server.start(workers: storage.workers ?? Metricd.defaultWorkerCount)
            control = ControlSocketServer.start(for: backends, logger: logger)
            let location = backends.location
            let scheme = api.scheme(configuration)
            let host = api.host
            let application = try server.application(
                configuration: configuration,
                onServerRunning: { bound in
                    // Said once the port is bound, never before.
                    let port = bound ?? configuration.port
                    logger.info(
                        "rondone \(RondoneVersion.current) serving \(location) on \(scheme)://\(host):\(port)"
                    )
                })
            do {
                // Returns after SIGINT/SIGTERM once in-flight requests are done.
                try await application.runService()
            } catch {
                throw StartupFailure.listening(
                    error, what: "the API", host: api.host, port: api.port, option: "port") ?? error
            }
        } catch {
            await control?.stop()
            await listener?.stop()
            await server.stop()
            await backends.close()
            throw error
        }
        await control?.stop()
        // What statsd received last is flushed while the index and stores are still open.
        await listener?.stop()
        await server.stop()
        await backends.close()
        logger.info("rondone stopped")
    }
}
