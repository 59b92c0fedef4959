public import Logging
public import RondoneWebConfig

/// Everything the HTTP layer is configured with. The defaults are Gnocchi's
/// (`[api] max_limit = 1000`, `auth_mode = basic`, no CORS, no proxy headers).
public struct APIConfiguration: Sendable {
    /// Address to bind; port 0 picks an ephemeral port (tests).
    public var host: String
    public var port: Int
    /// Largest page a list returns (`[api] max_limit`); larger `limit`s are clamped.
    public var maxLimit: Int
    public var authMode: AuthMode
    /// Origins allowed by CORS (`[cors] allowed_origin`); empty disables CORS.
    public var corsAllowedOrigins: [String]
    /// Honour `Forwarded` / `X-Forwarded-*` (`[api] enable_proxy_headers_parsing`).
    public var proxyHeaders: Bool
    /// Largest request body accepted, in bytes; larger bodies get a 413.
    public var maxBodySize: Int
    public var logLevel: Logger.Level
    /// Prometheus remote write keeps every label but `job` and `instance` in the metric
    /// name (`name@label=value,…`) instead of Gnocchi's `__name__` alone, so series that
    /// differ by a label stop overwriting each other (docs/INGEST.md).
    public var prometheusKeepLabels: Bool
    /// `--web-config`: TLS for the listener, and in basic mode the users whose passwords
    /// are checked (nil: Gnocchi's behaviour, nothing checked, plain HTTP).
    public var webConfig: WebConfigStore?
    /// `--strict-isolation`: in every auth mode, a caller who is not an admin lists,
    /// searches and aggregates only what they or their project created or own
    /// (docs/SECURITY.md has the table).
    public var strictIsolation: Bool

    public init(
        host: String = "127.0.0.1",
        port: Int = 8041,
        maxLimit: Int = 1000,
        authMode: AuthMode = .basic,
        corsAllowedOrigins: [String] = [],
        proxyHeaders: Bool = false,
        maxBodySize: Int = 64 * 1024 * 1024,
        logLevel: Logger.Level = .info,
        prometheusKeepLabels: Bool = false,
        webConfig: WebConfigStore? = nil,
        strictIsolation: Bool = false
    ) {
        self.host = host
        self.port = port
        self.maxLimit = maxLimit
        self.authMode = authMode
        self.corsAllowedOrigins = corsAllowedOrigins
        self.proxyHeaders = proxyHeaders
        self.maxBodySize = maxBodySize
        self.logLevel = logLevel
        self.prometheusKeepLabels = prometheusKeepLabels
        self.webConfig = webConfig
        self.strictIsolation = strictIsolation
    }
}

/// How a request's identity is established (Gnocchi's `[api] auth_mode`).
public enum AuthMode: String, Sendable, CaseIterable {
    /// HTTP Basic: the user name is the user id, the password is ignored, `admin` is the
    /// administrator. Gnocchi's default and what its functional tests use.
    case basic
    /// The user is given by a trusted front end in the `Remote-User` header (the WSGI
    /// `REMOTE_USER` Gnocchi reads); no roles, so nobody is admin.
    case remoteuser
    /// Keystone-style identity headers (`X-User-Id`, `X-Project-Id`, `X-Roles`) set by an
    /// authenticating proxy. Only safe behind such a proxy.
    case keystone
}
