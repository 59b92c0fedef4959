import ArgumentParser
import RondoneAPI
import RondoneServer

/// `rondone api`: a stateless API node of a scaled-out deployment — no data directory,
/// no workers, no janitor. Reads come straight from the aggregate store; `?refresh=true`
/// goes through the coordinator (the sack's holder is asked to process it now, or the
/// node takes the sack's lease and processes it inline).
struct APICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "api",
        abstract: "Run a stateless API node of a scaled-out deployment (PostgreSQL + S3).",
        discussion: """
            Needs --indexer-url and --storage-url; takes every API option of `serve`. Run \
            `rondone metricd` with the same URLs to process what the API nodes receive.
            """
    )

    @OptionGroup var storage: StorageOptions
    @OptionGroup var api: APIOptions

    func validate() throws {
        guard storage.deployment.indexerURL != nil else {
            throw ValidationError(
                "rondone api needs --indexer-url and --storage-url (use `serve` without them)")
        }
    }

    func run() async throws {
        let logger = api.logger(label: "rondone.api")
        try api.checkFiles()
        let configuration = try api.configuration(logger: logger)
        let backends = try await storage.open(logger: logger)
        let server = RondoneServer(backends: backends, logger: logger)
        let location = backends.location
        let scheme = api.scheme(configuration)
        let host = api.host
        let application = try server.application(
            configuration: configuration,
            onServerRunning: { bound in
                let port = bound ?? configuration.port
                logger.info(
                    "rondone \(RondoneVersion.current) API node on \(scheme)://\(host):\(port), \(location)")
            })
        do {
            try await application.runService()
        } catch {
            await backends.close()
            throw StartupFailure.listening(
                error, what: "the API", host: api.host, port: api.port, option: "port")
                ?? error
        }
        await backends.close()
        logger.info("rondone api stopped")
    }
}
