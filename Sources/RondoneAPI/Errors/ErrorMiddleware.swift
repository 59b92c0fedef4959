public import Hummingbird
import Logging
public import Prometheus
import RondoneStorage

/// Turns every error a controller or the router throws into Gnocchi's error response
/// (see ``ErrorPage``). Unknown routes become pecan's 404 with a `null` description;
/// an error that means a shared backend is unavailable (``APIServices/unavailable``:
/// a database restarting, an object store answering 503) is a 503 saying so, which a
/// client retries; a full disk is a 507 saying where (``StorageFailure``), a stored file
/// that cannot be read a 500 naming it; anything else is logged and answered 500
/// without details.
public struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let unavailable: @Sendable (any Error) -> String?
    let diskFull: @Sendable (any Error) -> String?
    let diskFullCounter: DiskFullCounter?

    /// `unavailable` names the backend an error says is unavailable, or nil; `diskFull`
    /// where an error says the disk is full, or nil (refusals are counted in `registry`).
    public init(
        unavailable: @escaping @Sendable (any Error) -> String? = { _ in nil },
        diskFull: @escaping @Sendable (any Error) -> String? = StorageFailure.diskFullLocation(of:),
        registry: PrometheusCollectorRegistry? = nil
    ) {
        self.unavailable = unavailable
        self.diskFull = diskFull
        self.diskFullCounter = registry.map(DiskFullCounter.init(registry:))
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return Self.render(error, request: request)
        } catch let error as CorruptSplit {
            context.logger.error("damaged stored data", metadata: ["error": "\(error)"])
            return Self.render(.damagedData(error), request: request)
        } catch let error as any HTTPResponseError {
            let apiError =
                error.status == .notFound
                ? APIError.routeNotFound
                : error.status == .contentTooLarge
                    ? APIError.contentTooLarge : APIError(error.status, .text(""))
            return Self.render(apiError, request: request)
        } catch {
            if let location = diskFull(error) {
                diskFullCounter?.increment()
                context.logger.warning("disk full", metadata: ["location": "\(location)"])
                return Self.render(StorageFailure.insufficientStorage(location: location), request: request)
            }
            if let unreadable = StorageFailure.unreadable(error) {
                context.logger.error("unreadable file", metadata: ["error": "\(error)"])
                return Self.render(unreadable, request: request)
            }
            if let backend = unavailable(error) {
                context.logger.warning(
                    "backend unavailable", metadata: ["backend": "\(backend)", "error": "\(error)"])
                return Self.render(
                    APIError(.serviceUnavailable, "\(backend) is unavailable; please try again."),
                    request: request)
            }
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
