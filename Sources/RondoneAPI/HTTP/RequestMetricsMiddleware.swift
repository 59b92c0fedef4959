public import CoreMetrics
public import Hummingbird
import Logging

/// Counts requests and records their latency through swift-metrics (exported at
/// `/metrics` by ``MetricsController``), and logs one structured line per request at
/// `debug`. Labels: method, the matched route pattern (bounded cardinality), status.
public struct RequestMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let factory: any MetricsFactory

    public init(factory: any MetricsFactory) {
        self.factory = factory
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        let elapsed = ContinuousClock.now - start
        let route = context.endpointPath ?? "unmatched"
        let dimensions = [
            ("method", request.method.rawValue), ("route", route), ("status", String(response.status.code)),
        ]
        Counter(label: "rondone_http_requests_total", dimensions: dimensions, factory: factory).increment()
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        Timer(
            label: "rondone_http_request_duration_seconds", dimensions: Array(dimensions.prefix(2)),
            factory: factory
        )
        .recordNanoseconds(Int64(seconds * 1e9))
        context.logger.debug(
            "request",
            metadata: [
                "method": "\(request.method.rawValue)", "path": "\(request.uri.path)",
                "status": "\(response.status.code)", "seconds": "\(seconds)",
            ])
        return response
    }
}
