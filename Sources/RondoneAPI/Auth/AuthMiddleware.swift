public import Hummingbird
import Logging
import Metrics
public import RondoneWebConfig

/// Reads the caller's credentials once per request, with the ``Authenticator`` of the
/// configured mode, and stores the outcome (the identity or the 401) in the
/// ``RondoneRequestContext`` for the routes to take with
/// ``RondoneRequestContext/identity()``. It never answers by itself: whether a request
/// without credentials is refused, and when, is the route's decision, as in Gnocchi.
///
/// With a web configuration that has users (`--web-config`), basic mode checks
/// passwords instead: every request but `GET /healthcheck` and the console's static
/// files (`/ui`, which hold no data; every call the console makes is checked) must carry a
/// user and its password, or is answered 401 here; the admin role comes from the file's `admins:`.
/// A refused login is logged (the user name and the client, never the password) and
/// counted in `rondone_http_auth_failures_total`.
public struct AuthMiddleware: RouterMiddleware {
    public typealias Context = RondoneRequestContext

    let authenticator: Authenticator
    let webConfig: WebConfigStore?
    let failures: Counter?

    public init(
        authenticator: Authenticator, webConfig: WebConfigStore? = nil, metrics: (any MetricsFactory)? = nil
    ) {
        self.authenticator = authenticator
        self.webConfig = authenticator.mode == .basic ? webConfig : nil
        failures = metrics.map { Counter(label: "rondone_http_auth_failures_total", factory: $0) }
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var context = context
        if let webConfig, webConfig.requiresPasswords, !Self.isPublic(request.uri.path) {
            context.authentication = .success(try await checkedIdentity(request, context, webConfig))
            return try await next(request, context)
        }
        do throws(APIError) {
            context.authentication = .success(try authenticator.identity(request.headers))
        } catch {
            context.authentication = .failure(error)
        }
        return try await next(request, context)
    }

    /// Whether `path` is served without a password even when `--web-config` has users:
    /// the health check, and the console's page and static files (no data in them).
    static func isPublic(_ path: String) -> Bool {
        path == "/healthcheck" || path == ConsoleController.root
            || path.hasPrefix(ConsoleController.root + "/")
    }

    /// The identity of a user whose password checks, or a 401 (the same for an unknown
    /// user, a wrong password and missing credentials).
    private func checkedIdentity(_ request: Request, _ context: Context, _ webConfig: WebConfigStore)
        async throws(APIError) -> Identity
    {
        guard let (user, password) = Authenticator.basicCredentials(request.headers[.authorization]) else {
            failures?.increment()
            throw .unauthorized
        }
        switch await webConfig.check(user: user, password: password) {
        case .user(let admin):
            return Identity(
                userID: user, projectID: nil, roles: admin ? ["admin"] : [], creator: user,
                credentials: ["user": user])
        case .denied:
            failures?.increment()
            context.logger.warning(
                "refused login", metadata: ["user": "\(user)", "client": "\(context.remoteAddress ?? "?")"])
            throw .unauthorized
        }
    }
}
