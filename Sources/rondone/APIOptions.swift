import ArgumentParser
import Logging
import RondoneAPI

/// The HTTP API's options, named as the settings Gnocchi's functional tests run under.
struct APIOptions: ParsableArguments {
    @Option(help: "Address to listen on.")
    var host: String = "127.0.0.1"

    @Option(help: "Port to listen on (0 picks a free one).")
    var port: Int = 8041

    @Option(help: "Largest page a list returns (Gnocchi's [api] max_limit).")
    var maxLimit: Int = 1000

    @Option(help: "How requests are authenticated: basic, remoteuser or keystone (identity headers).")
    var authMode: String = AuthMode.basic.rawValue

    @Option(help: "An origin allowed by CORS (repeat for several).")
    var corsAllowedOrigin: [String] = []

    @Flag(help: "Honour Forwarded / X-Forwarded-* headers from a proxy in front.")
    var proxyHeaders = false

    @Option(help: "Largest request body accepted, in bytes.")
    var maxBodySize: Int = 64 * 1024 * 1024

    @Option(help: "Log level: trace, debug, info, notice, warning, error or critical.")
    var logLevel: String = "info"

    @Flag(
        help: """
            Prometheus remote write: keep every label but job and instance in the metric name \
            (name@label=value,...) instead of Gnocchi's __name__ alone, where series differing \
            only by a label overwrite each other.
            """)
    var prometheusKeepLabels = false

    func validate() throws {
        guard AuthMode(rawValue: authMode) != nil else {
            throw ValidationError("--auth-mode must be one of basic, remoteuser, keystone")
        }
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError(
                "--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
        guard maxLimit >= 1 else { throw ValidationError("--max-limit must be at least 1") }
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0…65535") }
    }

    func configuration() throws -> APIConfiguration {
        APIConfiguration(
            host: host, port: port, maxLimit: maxLimit, authMode: AuthMode(rawValue: authMode) ?? .basic,
            corsAllowedOrigins: corsAllowedOrigin, proxyHeaders: proxyHeaders, maxBodySize: maxBodySize,
            logLevel: Logger.Level(rawValue: logLevel) ?? .info, prometheusKeepLabels: prometheusKeepLabels)
    }

    func logger(label: String) -> Logger {
        var logger = Logger(label: label)
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        return logger
    }
}
