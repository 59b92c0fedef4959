public import Hummingbird

/// The routes of the API. Registering through this table gives every route pecan's
/// behaviour around the handler, in pecan's order:
///
/// * a path registered with a trailing slash (`/v1/`) is a pecan index: a request without
///   the slash gets pecan's 302 to it, before anything else;
/// * a route's lookup, when it has one (pecan's `_lookup`, which reads the index while
///   dispatching: an archive policy rule's 404 comes before content negotiation);
/// * the route's ``ContentNegotiation`` (by default, pecan's 406 for JSON routes), done
///   here once so that no handler checks `Accept` itself;
/// * a path served for some methods answers any other method with Gnocchi's 405 and its
///   `Allow` header (the router alone would answer 404).
///
/// Controllers receive it in `register(on:)`.
public final class RouteTable: @unchecked Sendable {
    /// A route handler.
    public typealias Handler = @Sendable (Request, RondoneRequestContext) async throws -> Response

    let router: Router<RondoneRequestContext>
    /// For the absolute `Location` of the trailing-slash redirect.
    let configuration: APIConfiguration
    private var methodsByPath: [String: [HTTPRequest.Method]] = [:]
    private var order: [String] = []

    init(router: Router<RondoneRequestContext>, configuration: APIConfiguration) {
        self.router = router
        self.configuration = configuration
    }

    /// Serves `method` on `path` (Hummingbird's path syntax: `/v1/metric/{id}`) after
    /// `negotiation`.
    ///
    /// With `answersHead`, a GET route also answers HEAD without the body. Gnocchi does
    /// that only for `/`, `/v1/` and `/healthcheck`; everywhere else HEAD is a 405.
    public func add(
        _ method: HTTPRequest.Method, _ path: String, answersHead: Bool = false,
        negotiation: ContentNegotiation = .json, handler: @escaping Handler
    ) {
        let redirectsToIndex = path != "/" && path.hasSuffix("/")
        let configuration = self.configuration
        let serve: Handler = { request, context in
            if redirectsToIndex, let redirect = Self.indexRedirect(request, to: path, configuration) {
                return redirect
            }
            try negotiation.check(request)
            return try await handler(request, context)
        }
        register(method, path, answersHead: answersHead, handler: serve)
    }

    /// Serves `method` on `path` with a lookup that runs before `negotiation`, as pecan's
    /// `_lookup` does; `handler` gets what it found.
    public func add<Found>(
        _ method: HTTPRequest.Method, _ path: String, negotiation: ContentNegotiation = .json,
        lookup: @escaping @Sendable (Request, RondoneRequestContext) async throws -> Found,
        handler: @escaping @Sendable (Request, RondoneRequestContext, Found) async throws -> Response
    ) {
        register(method, path, answersHead: false) { request, context in
            let found = try await lookup(request, context)
            try negotiation.check(request)
            return try await handler(request, context, found)
        }
    }

    private func register(
        _ method: HTTPRequest.Method, _ path: String, answersHead: Bool, handler: @escaping Handler
    ) {
        router.on(RouterPath(path), method: method, use: handler)
        if methodsByPath[path] == nil { order.append(path) }
        methodsByPath[path, default: []].append(method)
        if method == .get && answersHead && !(methodsByPath[path]!.contains(.head)) {
            methodsByPath[path]!.append(.head)
            router.on(RouterPath(path), method: .head) { request, context in
                let response = try await handler(request, context)
                var headers = response.headers
                if let length = response.body.contentLength { headers[.contentLength] = String(length) }
                return Response(status: response.status, headers: headers, body: ResponseBody())
            }
        }
    }

    /// pecan's trailing-slash redirect of an index path (an HTML 302 page pointing at
    /// `index`), or nil when the request already ends with the slash.
    private static func indexRedirect(_ request: Request, to index: String, _ configuration: APIConfiguration)
        -> Response?
    {
        let url = RequestURL(
            request: request.head, proxyHeaders: configuration.proxyHeaders,
            fallbackHost: "\(configuration.host):\(configuration.port)")
        guard !url.path.hasSuffix("/") else { return nil }
        let location = url.absolute(index)
        var headers = HTTPFields()
        headers[.location] = location
        let page =
            "<html>\n <head>\n  <title>302 Found</title>\n </head>\n <body>\n  <h1>302 Found</h1>\n  The resource was found at <a href=\"\(location)\">\(location)</a>;\nyou should be redirected automatically.\n\n\n </body>\n</html>"
        headers[.contentType] = "text/html; charset=UTF-8"
        return Response(
            status: .found, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: page)))
    }

    /// A method and path the table serves, as registered (the 405 answers that
    /// ``finish()`` adds for the other methods are not routes of their own).
    public struct ServedRoute: Hashable, Sendable, CustomStringConvertible {
        public var method: HTTPRequest.Method
        /// Hummingbird's path syntax, as given to ``add(_:_:answersHead:handler:)``.
        public var path: String

        public var description: String { "\(method.rawValue) \(path)" }
    }

    /// Every route served, in registration order (HEAD where a GET answers it).
    public var served: [ServedRoute] {
        order.flatMap { path in methodsByPath[path]!.map { ServedRoute(method: $0, path: path) } }
    }

    /// Told the routes of each table as it is finished. The route-coverage test builds the
    /// router exactly as the server does and compares these with the OpenAPI description.
    @TaskLocal static var finishedObserver: (@Sendable ([ServedRoute]) -> Void)? = nil

    /// Registers the 405 handlers; called once after every controller registered.
    func finish() {
        Self.finishedObserver?(served)
        let candidates: [HTTPRequest.Method] = [.get, .head, .post, .put, .patch, .delete]
        for path in order {
            let served = methodsByPath[path]!
            let allowed = served.filter { $0 != .head }
            for method in candidates where !served.contains(method) {
                router.on(RouterPath(path), method: method) { _, _ -> Response in
                    throw APIError.methodNotAllowed(allowed: allowed)
                }
            }
        }
    }
}
