public import Hummingbird

/// CORS as oslo.middleware's `cors` filter (`oslo_middleware.cors.CORS`, configured by
/// `[cors] allowed_origin`) applies it to Gnocchi: preflight `OPTIONS` answers an empty
/// 200 (whatever the route would say) and, for an allowed origin, a permitted method and
/// permitted headers, echoes them with credentials and max-age; actual requests from an
/// allowed origin get `Access-Control-Allow-Origin` and `Vary: Origin`.
///
/// Not Hummingbird's `CORSMiddleware`: that one answers a preflight itself with a 204 and
/// its whole configured method list, where oslo answers 200 and echoes the one requested
/// method; Gnocchi's functional tests check oslo's answers.
public struct OsloCORSMiddleware<Context: RequestContext>: RouterMiddleware {
    public let allowedOrigins: Set<String>
    public var allowCredentials = true
    public var maxAge = 3600
    public var allowMethods: Set<String> = [
        "OPTIONS", "GET", "HEAD", "POST", "PUT", "DELETE", "TRACE", "PATCH",
    ]
    /// Gnocchi's defaults plus the CORS simple headers, upper-cased.
    public var allowHeaders: Set<String> = Set(
        [
            "Authorization", "X-Auth-Token", "X-Subject-Token", "X-User-Id", "X-Domain-Id", "X-Project-Id",
            "X-Roles",
            "Cache-Control", "Content-Language", "Content-Type", "Expires", "Last-Modified", "Pragma",
        ].map { $0.uppercased() })

    public init(allowedOrigins: [String]) {
        self.allowedOrigins = Set(allowedOrigins)
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var response = try await next(request, context)
        if response.headers[.accessControlAllowOrigin] != nil { return response }
        if request.method == .options {
            if !(200..<300).contains(response.status.code) {
                response = Response(status: .ok, headers: [.contentLength: "0"], body: ResponseBody())
            }
            applyPreflight(request, to: &response)
        } else if let origin = allowed(request.headers[.origin]) {
            if let vary = response.headers[.vary] {
                response.headers[.vary] = vary + ",Origin"
            } else {
                response.headers[.vary] = "Origin"
            }
            response.headers[.accessControlAllowOrigin] = origin
            if allowCredentials { response.headers[.accessControlAllowCredentials] = "true" }
        }
        return response
    }

    func allowed(_ origin: String?) -> String? {
        guard let origin else { return nil }
        if allowedOrigins.contains(origin) { return origin }
        return allowedOrigins.contains("*") ? "*" : nil
    }

    func applyPreflight(_ request: Request, to response: inout Response) {
        guard let origin = allowed(request.headers[.origin]),
            let method = request.headers[.accessControlRequestMethod], allowMethods.contains(method)
        else { return }
        let requested = (request.headers[.accessControlRequestHeaders] ?? "").split(separator: ",")
            .map { String($0.trimmingSpaces) }.filter { !$0.isEmpty }
        guard requested.allSatisfy({ allowHeaders.contains($0.uppercased()) }) else { return }
        response.headers[.vary] = "Origin"
        response.headers[.accessControlAllowOrigin] = origin
        if allowCredentials { response.headers[.accessControlAllowCredentials] = "true" }
        if maxAge > 0 { response.headers[.accessControlMaxAge] = String(maxAge) }
        response.headers[.accessControlAllowMethods] = method
        if !requested.isEmpty {
            response.headers[.accessControlAllowHeaders] = requested.joined(separator: ",")
        }
    }
}
