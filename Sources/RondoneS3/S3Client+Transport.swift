import AsyncHTTPClient
import Logging
import NIOCore
import NIOHTTP1

/// One S3 request as the operations describe it, before signing.
struct S3Request: Sendable {
    var operation: String
    var method: HTTPMethod
    /// nil: a request on the bucket itself.
    var key: String?
    /// Decoded names and values; encoded once, identically, for the URL and the signature.
    var query: [(name: String, value: String)] = []
    /// Extra headers, all signed (`content-type`, `content-md5`, …).
    var headers: [SigV4Signer.Header] = []
    var body: [UInt8] = []
}

/// What S3 answered to the last attempt of a request.
struct S3Response: Sendable {
    var status: Int
    var headers: HTTPHeaders
    var body: [UInt8]
    var attempts: Int
}

extension S3Client {
    /// Sends `request` until it succeeds or the retry policy gives up. Returns the answer
    /// when its status is 2xx or in `accepting`; throws an `S3Error` otherwise (or a
    /// `CancellationError` when the task is cancelled).
    func send(_ request: S3Request, accepting: Set<Int> = []) async throws -> S3Response {
        let policy = configuration.retry
        let clock = ContinuousClock()
        let start = clock.now
        var generator = SystemRandomNumberGenerator()
        let payloadHash = SigV4Signer.payloadHash(request.body)
        let body = ByteBuffer(bytes: request.body)
        var attempt = 0
        while true {
            attempt += 1
            let failure: S3Error
            do {
                var response = try await sendOnce(request, payloadHash: payloadHash, body: body)
                response.attempts = attempt
                if (200..<300).contains(response.status) || accepting.contains(response.status) {
                    return response
                }
                let details = S3Error.details(ofErrorBody: response.body)
                failure = error(
                    request, .status(response.status), code: details.code, message: details.message,
                    requestID: details.requestID ?? response.headers.first(name: "x-amz-request-id"),
                    attempts: attempt)
            } catch let error as CancellationError {
                throw error
            } catch var error as S3Error {
                error.attempts = attempt
                throw error
            } catch {
                if Task.isCancelled { throw CancellationError() }
                failure = self.error(request, Self.classify(error), attempts: attempt)
            }
            guard failure.isRetryable, attempt < policy.maximumAttempts else { throw failure }
            let wait = policy.backoff(beforeRetry: attempt, using: &generator)
            guard start.duration(to: clock.now) + wait < policy.budget else { throw failure }
            logger.info(
                "S3 request failed, will retry",
                metadata: ["error": "\(failure)", "attempt": "\(attempt)", "wait": "\(wait)"])
            try await Task.sleep(for: wait)
        }
    }

    /// An `S3Error` about `request`.
    func error(
        _ request: S3Request, _ reason: S3Error.Reason, code: String? = nil, message: String? = nil,
        requestID: String? = nil, attempts: Int
    ) -> S3Error {
        S3Error(
            operation: request.operation, method: request.method.rawValue, bucket: url.bucket,
            key: request.key,
            reason: reason, code: code, message: message, requestID: requestID, attempts: attempts)
    }

    private func sendOnce(_ request: S3Request, payloadHash: String, body: ByteBuffer) async throws
        -> S3Response
    {
        let path = url.encodedPath(key: request.key)
        var headers = [SigV4Signer.Header(name: "host", value: url.hostHeader)] + request.headers
        signer.sign(
            method: request.method.rawValue, encodedPath: path, query: request.query, headers: &headers,
            payloadHash: payloadHash, time: .now())
        let query = SigV4Signer.canonicalQuery(request.query)
        var outgoing = HTTPClientRequest(
            url: "\(url.endpoint.scheme)://\(url.hostHeader)\(path)\(query.isEmpty ? "" : "?" + query)")
        outgoing.method = request.method
        for header in headers {
            outgoing.headers.add(name: header.name, value: header.value)
        }
        if request.method == .PUT || request.method == .POST {
            outgoing.body = .bytes(body)
        }
        let response = try await http.execute(
            outgoing, timeout: configuration.requestTimeout.timeAmount, logger: logger)
        let limit = configuration.maximumResponseBytes
        let bytes: ByteBuffer
        do {
            bytes = try await response.body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw error(request, .malformedResponse("the answer is larger than \(limit) bytes"), attempts: 1)
        }
        return S3Response(
            status: Int(response.status.code), headers: response.headers,
            body: Array(bytes.readableBytesView),
            attempts: 1)
    }

    /// Why no answer came, as a transport failure (retried) — or, for a request that can
    /// never be sent (bad URL, client shut down), as an invalid request (not retried).
    static func classify(_ error: any Error) -> S3Error.Reason {
        if let client = error as? HTTPClientError {
            switch client {
            case .invalidURL, .emptyHost, .emptyScheme, .alreadyShutdown, .bodyLengthMismatch:
                return .invalidRequest("\(client)")
            case .deadlineExceeded, .readTimeout, .connectTimeout, .writeTimeout:
                return .transport("timed out (\(client))")
            default:
                return .transport("\(client)")
            }
        }
        return .transport("\(error)")
    }
}
