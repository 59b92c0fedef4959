public import Hummingbird

/// The routes of the API, registered through this table so that a path served for some
/// methods answers any other method with Gnocchi's 405 and its `Allow` header (the
/// router alone would answer 404). Controllers receive it in `register(on:)`.
public final class RouteTable: @unchecked Sendable {
    /// A route handler.
    public typealias Handler = @Sendable (Request, RondoneRequestContext) async throws -> Response

    let router: Router<RondoneRequestContext>
    private var methodsByPath: [String: [HTTPRequest.Method]] = [:]
    private var order: [String] = []

    init(router: Router<RondoneRequestContext>) {
        self.router = router
    }

    /// Serves `method` on `path` (Hummingbird's path syntax: `/v1/metric/{id}`).
    ///
    /// With `answersHead`, a GET route also answers HEAD without the body. Gnocchi does
    /// that only for `/`, `/v1/` and `/healthcheck`; everywhere else HEAD is a 405.
    public func add(
        _ method: HTTPRequest.Method, _ path: String, answersHead: Bool = false, handler: @escaping Handler
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
