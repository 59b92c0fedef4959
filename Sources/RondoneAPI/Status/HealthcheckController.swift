import Hummingbird

/// `/healthcheck` as oslo.middleware's healthcheck app answers it with no backends
/// configured: GET 200 with an empty `text/plain` body, HEAD 204.
struct HealthcheckController {
    func register(on routes: RouteTable) {
        routes.add(.get, "/healthcheck", answersHead: true, negotiation: .none) { request, _ in
            if request.method == .head { return JSONResponse.empty(.noContent) }
            return Response(
                status: .ok, headers: [.contentType: "text/plain; charset=UTF-8", .contentLength: "0"],
                body: ResponseBody())
        }
    }
}
