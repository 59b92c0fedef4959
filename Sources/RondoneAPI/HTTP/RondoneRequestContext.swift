public import Hummingbird

/// The request context of every Rondone route: Hummingbird's core storage plus who the
/// caller is, established once per request by ``AuthMiddleware``.
///
/// The outcome is kept, not thrown: Gnocchi asks for the current user per operation, so
/// a request without credentials fails with 401 only where its route calls
/// ``identity()``, after whatever that route checks first (a 404 for a missing metric,
/// a 415, …). Routes never read credential headers themselves.
public struct RondoneRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The caller, or the 401 to answer where an operation needs one; nil until
    /// ``AuthMiddleware`` ran.
    public var authentication: Result<Identity, APIError>?
    /// The client's address as the connection has it (for logs of refused logins).
    public let remoteAddress: String?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress.map { "\($0.ipAddress ?? "?"):\($0.port ?? 0)" }
    }

    /// The caller, or the 401 the request's credentials earned.
    public func identity() throws(APIError) -> Identity {
        switch authentication {
        case .success(let identity): return identity
        case .failure(let error): throw error
        // Only a router built without AuthMiddleware gets here: a bug, never input.
        case nil: throw APIError(.internalServerError, "BUG: no AuthMiddleware on this router")
        }
    }

    /// A path parameter as WSGI's `PATH_INFO` gives it to Gnocchi: percent escapes
    /// decoded (`generic%20one` is `generic one`), `+` kept; `""` when absent.
    func pathParameter(_ name: String) -> String {
        QueryString.decode(Substring(parameters.get(name) ?? "").utf8[...], plusIsSpace: false)
    }
}
