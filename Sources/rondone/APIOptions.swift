import ArgumentParser
import Dispatch
import Logging
import RondoneAPI
import RondoneWebConfig

#if canImport(Glibc)
    import Glibc
#endif

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

    @Option(
        help: """
            A web configuration file in Prometheus's format: TLS (tls_server_config), users with \
            bcrypt password hashes (basic_auth_users, checked in basic mode) and admins (a list \
            of users). Reloaded on SIGHUP. See docs/SECURITY.md.
            """)
    var webConfig: String?

    @Flag(
        help: """
            In every auth mode, a caller who is not an admin lists, searches and aggregates only \
            what they or their project created or own (docs/SECURITY.md).
            """)
    var strictIsolation = false

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

    /// The API's configuration, with the web configuration loaded (a file that does not
    /// load stops the command with its reason) and reloaded on SIGHUP; logs a warning
    /// saying what the server trusts when nothing is checked.
    func configuration(logger: Logger) throws -> APIConfiguration {
        let mode = AuthMode(rawValue: authMode) ?? .basic
        var store: WebConfigStore?
        if let webConfig {
            do {
                store = try WebConfigStore(path: webConfig)
            } catch {
                var standardError = StandardError()
                print("rondone: \(error)", to: &standardError)
                throw ExitCode.failure
            }
        }
        if let store { WebConfigReloader.reload(store, onHangUp: logger) }
        if let warning = Self.trustWarning(mode: mode, webConfig: store?.config) {
            logger.warning("\(warning)")
        }
        return APIConfiguration(
            host: host, port: port, maxLimit: maxLimit, authMode: mode, corsAllowedOrigins: corsAllowedOrigin,
            proxyHeaders: proxyHeaders, maxBodySize: maxBodySize,
            logLevel: Logger.Level(rawValue: logLevel) ?? .info,
            prometheusKeepLabels: prometheusKeepLabels, webConfig: store, strictIsolation: strictIsolation)
    }

    /// What a server without checked credentials trusts, in one sentence; nil when
    /// passwords are checked.
    static func trustWarning(mode: AuthMode, webConfig: WebConfig?) -> String? {
        switch mode {
        case .basic where !(webConfig?.basicAuthUsers.isEmpty ?? true): return nil
        case .basic:
            return "no password is checked: any user name is accepted and the user `admin` is the "
                + "administrator (Gnocchi's basic mode); put an authenticating proxy in front or give "
                + "--web-config with basic_auth_users"
        case .remoteuser:
            return
                "the Remote-User header is trusted as the user: only a proxy that sets it may reach this port"
        case .keystone:
            return "the X-User-Id, X-Project-Id and X-Roles headers are trusted as the identity: only an "
                + "authenticating proxy that sets them may reach this port"
        }
    }

    /// `https` with the web configuration's TLS, `http` otherwise.
    func scheme(_ configuration: APIConfiguration) -> String {
        configuration.webConfig?.config.tls == nil ? "http" : "https"
    }

    func logger(label: String) -> Logger {
        var logger = Logger(label: label)
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        return logger
    }
}
