import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOEmbedded
import RondoneAPI
import RondoneServer
import Synchronization

/// One `POST /v1/batch/metrics/measures` (10 metrics × 100 measures) end to end through
/// the real router (`RondoneApplication.makeRouter`: every middleware, auth, body
/// collection, parsing, metric lookup in the SQLite index, the durable append to the
/// file incoming log, the response) on a fresh temporary data directory. The request
/// is handed to the router's responder in process, as HummingbirdTesting's `.router`
/// client does, without its stream plumbing; metricd is not started, so the measured
/// part is the request alone.
struct BatchRequest {
    /// Gnocchi's functional tests' administrator (basic auth, any password).
    static let admin = "basic YWRtaW46"

    let responder: RouterResponder<RondoneRequestContext>
    let channel = NIOAsyncTestingChannel()
    let logger: Logger
    let body: ByteBuffer

    /// Sets up a data directory with the default policies and ten `low` metrics, then
    /// runs `measure` with the ready request.
    static func withServer(_ measure: (BatchRequest) async throws -> Void) async throws {
        let path = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let directory = try DataDirectory(path: path, sacks: 8)
        defer { directory.close() }
        let backends = Backends.embedded(directory)
        try await backends.upgrade(createDefaultPolicies: true)
        var logger = Logger(label: "rondone.bench")
        logger.logLevel = .error
        let server = RondoneServer(backends: backends, logger: logger)
        let configuration = APIConfiguration(authMode: .basic, logLevel: .error)
        let router = try RondoneApplication.makeRouter(
            configuration: configuration, services: server.services)
        var request = BatchRequest(responder: router.buildResponder(), logger: logger, body: ByteBuffer())
        var metrics: [String] = []
        for _ in 0..<10 {
            let (status, created) = try await request.send(
                .post, "/v1/metric", body: ByteBuffer(string: #"{"archive_policy_name": "low"}"#))
            guard status == .created, let id = metricID(in: created) else {
                throw BenchmarkSetupError.unexpected("POST /v1/metric: \(status) \(created)")
            }
            metrics.append(id)
        }
        request = BatchRequest(
            responder: request.responder, logger: logger,
            body: ByteBuffer(bytes: Workloads.batchBody(metrics: metrics, perMetric: 100)))
        try await measure(request)
    }

    /// Posts the batch once; anything but 202 stops the benchmark.
    func post() async throws {
        let (status, text) = try await send(.post, "/v1/batch/metrics/measures", body: body)
        guard status == .accepted else { throw BenchmarkSetupError.unexpected("batch: \(status) \(text)") }
    }

    private func send(_ method: HTTPRequest.Method, _ path: String, body: ByteBuffer) async throws
        -> (HTTPResponse.Status, String)
    {
        let head = HTTPRequest(
            method: method, scheme: "http", authority: "localhost", path: path,
            headerFields: [
                .authorization: Self.admin, .contentType: "application/json",
                .contentLength: String(body.readableBytes),
            ])
        let request = Request(head: head, body: RequestBody(buffer: body))
        let context = RondoneRequestContext(source: .init(channel: channel, logger: logger))
        let response = try await responder.respond(to: request, context: context)
        let collector = BodyCollector()
        try await response.body.write(collector)
        return (response.status, String(buffer: collector.buffer.withLock { $0 }))
    }

    /// The `"id"` of a created metric's JSON.
    private static func metricID(in json: String) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else {
            return nil
        }
        return object["id"] as? String
    }

    private static func temporaryDirectory() throws -> String {
        var template = Array("/tmp/rondone-allocs-XXXXXX".utf8CString)
        guard let result = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw BenchmarkSetupError.unexpected("mkdtemp failed")
        }
        return String(cString: result)
    }
}

/// Collects a response body.
private final class BodyCollector: ResponseBodyWriter, Sendable {
    let buffer = Mutex(ByteBuffer())

    func write(_ buffer: ByteBuffer) async throws {
        var incoming = buffer
        self.buffer.withLock { _ = $0.writeBuffer(&incoming) }
    }

    func finish(_ trailingHeaders: HTTPFields?) async throws {}
}

/// Set-up went wrong: the benchmark would measure something else than its path.
enum BenchmarkSetupError: Error {
    case unexpected(String)
}
