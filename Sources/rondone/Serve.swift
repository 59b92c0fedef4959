import ArgumentParser
import Logging
import RondoneAPI
import RondoneProcessing

/// `rondone serve`: everything in one process on the embedded default — the HTTP API,
/// the SQLite index, the file stores and the metricd workers.
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

    func run() async throws {
        let directory = try await storage.open()
        let logger = api.logger(label: "rondone")
        let metricd = directory.metricd(log: { logger.info("\($0)", metadata: ["component": "metricd"]) })
        await metricd.start(workers: storage.workers ?? Metricd.defaultWorkerCount)
        let janitor = directory.janitor(log: { logger.info("\($0)", metadata: ["component": "janitor"]) })
        await janitor.start()
        let services = APIServices(
            status: MetricdStatusProvider(metricd: metricd), indexer: directory.indexer,
            incoming: directory.incoming, metricd: metricd)
        let application = try RondoneApplication.build(
            configuration: try api.configuration(), services: services)
        logger.info(
            "rondone \(RondoneVersion.current) serving \(directory.path) on http://\(api.host):\(api.port)")
        // Returns after SIGINT/SIGTERM once in-flight requests are done.
        try await application.runService()
        await janitor.stop()
        await metricd.stop()
        directory.close()
        logger.info("rondone stopped")
    }
}
