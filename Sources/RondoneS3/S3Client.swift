import AsyncHTTPClient
import Logging
import NIOCore

/// A client for one S3 bucket (AWS S3, MinIO, Ceph RGW, moto), spoken over
/// async-http-client with SigV4 signing: objects in and out as `[UInt8]`, listings,
/// multi-delete, and the bucket itself.
///
/// Guarantees: every request carries `x-amz-content-sha256` (the SHA-256 of its body,
/// which the signature covers); a request is retried only as `S3RetryPolicy` says
/// (5xx, SlowDown, connection failures, timeouts — never a 4xx) and within its bounds;
/// every failure is an `S3Error` naming the request, S3's answer and the attempts made;
/// no answer from the server, however malformed, crashes the process.
///
/// It owns one `HTTPClient` (a pool of connections to the endpoint), so make one
/// `S3Client` per bucket and process, share it, and call `shutdown()` once at the end.
public final class S3Client: Sendable {
    /// Timeouts, pool size, retries and limits.
    public struct Configuration: Sendable {
        public var retry: S3RetryPolicy
        /// The longest one attempt may take, from sending to the last byte of the answer.
        public var requestTimeout: Duration
        public var connectTimeout: Duration
        /// Connections kept to the endpoint; more concurrent requests wait for one.
        public var maximumConnections: Int
        /// An unused connection is closed after this long.
        public var idleConnectionTimeout: Duration
        /// A larger answer fails the request (`S3Error.Reason.malformedResponse`).
        public var maximumResponseBytes: Int

        public init(
            retry: S3RetryPolicy = S3RetryPolicy(), requestTimeout: Duration = .seconds(30),
            connectTimeout: Duration = .seconds(5), maximumConnections: Int = 16,
            idleConnectionTimeout: Duration = .seconds(60), maximumResponseBytes: Int = 256 << 20
        ) {
            self.retry = retry
            self.requestTimeout = requestTimeout
            self.connectTimeout = connectTimeout
            self.maximumConnections = maximumConnections
            self.idleConnectionTimeout = idleConnectionTimeout
            self.maximumResponseBytes = maximumResponseBytes
        }
    }

    public let url: S3URL
    public let configuration: Configuration
    let http: HTTPClient
    let signer: SigV4Signer
    let logger: Logger

    public init(url: S3URL, configuration: Configuration = Configuration(), logger: Logger? = nil) {
        self.url = url
        self.configuration = configuration
        self.signer = SigV4Signer(credentials: url.credentials, region: url.region)
        self.logger = logger ?? Logger(label: "rondone.s3")
        var http = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(
                connect: configuration.connectTimeout.timeAmount,
                read: configuration.requestTimeout.timeAmount),
            decompression: .disabled)
        http.connectionPool = .init(
            idleTimeout: configuration.idleConnectionTimeout.timeAmount,
            concurrentHTTP1ConnectionsPerHostSoftLimit: max(1, configuration.maximumConnections))
        http.httpVersion = .http1Only
        self.http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: http)
    }

    /// Closes the connections. Call it once, after the last request.
    public func shutdown() async throws {
        try await http.shutdown()
    }
}

extension Duration {
    var timeAmount: TimeAmount {
        let (seconds, attoseconds) = components
        return .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
