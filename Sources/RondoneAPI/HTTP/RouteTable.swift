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

    /// Registers the 405 handlers; called once after every controller registered.
    func finish() {
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
