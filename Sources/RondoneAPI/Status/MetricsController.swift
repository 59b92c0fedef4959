import Hummingbird
import Prometheus

/// `GET /metrics`: the server's own metrics in Prometheus text format.
struct MetricsController {
    let registry: PrometheusCollectorRegistry

    func register(on routes: RouteTable) {
        routes.add(.get, "/metrics", negotiation: .none) { _, _ in
            var buffer: [UInt8] = []
            registry.emit(into: &buffer)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: buffer)))
        }
    }
}
