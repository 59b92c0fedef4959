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
        let configuration = try api.configuration(logger: logger)
        let backends = try await storage.open(logger: logger)
        let server = RondoneServer(backends: backends, logger: logger)
        let application = try server.application(configuration: configuration)
        logger.info(
            "rondone \(RondoneVersion.current) API node on \(api.scheme(configuration))://\(api.host):\(api.port), \(backends.location)"
        )
        try await application.runService()
        await backends.close()
        logger.info("rondone api stopped")
    }
}
