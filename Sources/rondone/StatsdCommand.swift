import ArgumentParser
import AsyncHTTPClient
import Logging
import Prometheus
import RondoneIngest

/// `rondone statsd --url URL`: the statsd listener alone, forwarding every flush to a
/// Gnocchi-compatible API over HTTP (the embedded data directory has one owner, so the
/// standalone daemon never opens it).
struct StatsdCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "statsd",
        abstract: "Receive statsd metrics over UDP and forward them to a Gnocchi API.",
        discussion: """
            Options may also come from --config FILE or RONDONE_<OPTION> variables, as for serve \
            (e.g. RONDONE_STATSD_RESOURCE_ID, RONDONE_URL).
            """
    )

    @Option(help: "Base URL of the Gnocchi-compatible API (e.g. http://127.0.0.1:8041).")
    var url: String

    @OptionGroup var statsd: StatsdOptions

    @Option(help: "Log level: trace, debug, info, notice, warning, error or critical.")
    var logLevel: String = "info"

    func validate() throws {
        guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
            throw ValidationError("--url must be an http:// or https:// URL")
        }
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError(
                "--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
        _ = try statsd.settings(defaultPort: 8125)
    }

    func run() async throws {
        var logger = Logger(label: "rondone.statsd")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        let settings = try statsd.settings(defaultPort: 8125)
        let client = HTTPClient()
        let forwarder = StatsdForwarder(url: url, settings: settings, client: client, logger: logger)
        let listener: StatsdListener
        do {
            listener = try await StatsdListener.start(
                settings: settings, sink: forwarder, registry: PrometheusCollectorRegistry(), logger: logger)
        } catch {
            try? await client.shutdown()
            throw StartupFailure.listening(
                error, what: "statsd", transport: "UDP", host: settings.host, port: settings.port,
                option: "statsd-port") ?? error
        }
        logger.info("statsd forwarding to \(url)")
        let signal = await ShutdownSignal.wait()
        logger.info("\(signal): flushing and stopping")
        await listener.stop()
        try await client.shutdown()
    }
}
