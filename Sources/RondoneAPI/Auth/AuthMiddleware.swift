public import Hummingbird

/// Reads the caller's credentials once per request, with the ``Authenticator`` of the
/// configured mode, and stores the outcome (the identity or the 401) in the
/// ``RondoneRequestContext`` for the routes to take with
/// ``RondoneRequestContext/identity()``. It never answers by itself: whether a request
/// without credentials is refused, and when, is the route's decision, as in Gnocchi.
public struct AuthMiddleware: RouterMiddleware {
    public typealias Context = RondoneRequestContext

    let authenticator: Authenticator

    public init(authenticator: Authenticator) {
        self.authenticator = authenticator
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var context = context
        do throws(APIError) {
            context.authentication = .success(try authenticator.identity(request.headers))
        } catch {
            context.authentication = .failure(error)
        }
        return try await next(request, context)
    }
}
