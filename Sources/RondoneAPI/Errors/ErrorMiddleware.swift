public import Hummingbird
import Logging

/// Turns every error a controller or the router throws into Gnocchi's error response
/// (see ``ErrorPage``). Unknown routes become pecan's 404 with a `null` description;
/// anything that is not an ``APIError`` is logged and answered 500 without details.
public struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return Self.render(error, request: request)
        } catch let error as any HTTPResponseError {
            let apiError =
                error.status == .notFound
                ? APIError.routeNotFound
                : error.status == .contentTooLarge
                    ? APIError.contentTooLarge : APIError(error.status, .text(""))
            return Self.render(apiError, request: request)
        } catch {
            context.logger.error("unhandled error", metadata: ["error": "\(String(reflecting: error))"])
            return Self.render(APIError(.internalServerError, .text("")), request: request)
        }
    }

    /// The response for `error`, negotiated on the request's `Accept`.
    public static func render(_ error: APIError, request: Request) -> Response {
        let page = ErrorPage(
            error,
            request: .init(
                method: request.method.rawValue, accept: request.headers[.accept],
                contentType: request.headers[.contentType]))
        var headers = error.headers
        headers[.contentType] = page.contentType
        if request.method == .head {
            headers[.contentLength] = String(page.body.count)
            return Response(status: error.status, headers: headers, body: ResponseBody())
        }
        return Response(
            status: error.status, headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: page.body)))
    }
}
