import AsyncHTTPClient
import Foundation
import NIOCore
import RondoneS3

/// The S3 server of the integration tests, as scripts/s3-test-server.sh exports it:
/// `RONDONE_TEST_S3_URL` and `AWS_*` (moto with signature checking on), and
/// `RONDONE_TEST_S3_FAULT_PROXY` (the same moto behind scripts/s3-fault-proxy.py).
/// Without them the integration suites are skipped.
enum S3TestServer {
    static let environment = ProcessInfo.processInfo.environment

    static let url: S3URL? = environment["RONDONE_TEST_S3_URL"].flatMap {
        try? S3URL(parsing: $0, environment: environment)
    }

    static var available: Bool { url != nil }

    static var faultProxyAvailable: Bool { url != nil && faultProxy != nil }

    /// `http://127.0.0.1:PORT` of the fault proxy.
    static let faultProxy: (host: String, port: Int)? = environment["RONDONE_TEST_S3_FAULT_PROXY"].flatMap {
        text in
        guard let url = URL(string: text), let host = url.host, let port = url.port else { return nil }
        return (host, port)
    }

    /// Keys of one test under their own prefix, so tests (and reruns on one server) never meet.
    static func prefix(_ test: String) -> String {
        "run-\(UInt32.random(in: 0...UInt32.max))/\(test)/"
    }

    /// A client for the test bucket (created when missing), shut down after `body`.
    static func withClient<T>(
        configuration: S3Client.Configuration = fastRetries, throughProxy: Bool = false,
        credentials: S3Credentials? = nil, bucket: String? = nil,
        _ body: (S3Client) async throws -> T
    ) async throws -> T {
        var url = try requireValue(Self.url)
        if throughProxy {
            let proxy = try requireValue(faultProxy)
            url.endpoint = .init(scheme: "http", host: proxy.host, port: proxy.port)
        }
        if let credentials { url.credentials = credentials }
        if let bucket { url.bucket = bucket }
        let client = S3Client(url: url, configuration: configuration)
        do {
            if bucket == nil && credentials == nil { try await client.createBucketIfMissing() }
            let result = try await body(client)
            try await client.shutdown()
            return result
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    /// Retries as the default policy does, but with waits short enough for tests.
    static let fastRetries = S3Client.Configuration(
        retry: S3RetryPolicy(
            maximumAttempts: 6, initialBackoff: .milliseconds(20), maximumBackoff: .milliseconds(200),
            budget: .seconds(10)))

    static func bytes(_ count: Int, seed: UInt64) -> [UInt8] {
        var state = seed &+ 0x9E37_79B9_7F4A_7C15
        return (0..<count).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 33)
        }
    }
}

/// The fault proxy's admin endpoint (`/__fault/…`).
enum FaultProxy {
    struct Stats: Decodable {
        var forwarded: Int
        var failed: Int
        var armed: Bool
    }

    static func fail(count: Int = 0, seconds: Double = 0, mode: String = "slowdown", stall: Double = 0)
        async throws
    {
        _ = try await call("POST", "fail?count=\(count)&seconds=\(seconds)&mode=\(mode)&stall=\(stall)")
    }

    static func reset() async throws { _ = try await call("POST", "reset") }

    static func stats() async throws -> Stats {
        try JSONDecoder().decode(Stats.self, from: Data(try await call("GET", "stats")))
    }

    private static func call(_ method: String, _ path: String) async throws -> [UInt8] {
        let proxy = try requireValue(S3TestServer.faultProxy)
        var request = HTTPClientRequest(url: "http://\(proxy.host):\(proxy.port)/__fault/\(path)")
        request.method = .RAW(value: method)
        if method == "POST" { request.body = .bytes(ByteBuffer()) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        guard response.status == .ok else {
            throw FaultProxyError(message: "fault proxy: \(response.status) \(String(buffer: body))")
        }
        return Array(body.readableBytesView)
    }
}

struct FaultProxyError: Error {
    var message: String
}

/// `#require` for a value outside a test function's body.
func requireValue<T>(_ value: T?, _ what: String = "a value") throws -> T {
    guard let value else { throw FaultProxyError(message: "missing \(what): is the S3 test server running?") }
    return value
}
