/// A failed S3 request, with everything an operator needs to see why: which request
/// (operation, method, bucket, key), what S3 answered (HTTP status, its error `Code` and
/// `Message`, request id) or why nothing came back (connection refused, timeout), and
/// how many attempts the client made before it gave up.
///
/// Every failure of `S3Client` is an `S3Error` — a malformed answer included, never a
/// crash — except task cancellation, which stays a `CancellationError`.
public struct S3Error: Error, Sendable, CustomStringConvertible {
    /// What went wrong, by where it was seen.
    public enum Reason: Sendable, Equatable {
        /// S3 answered with this HTTP status (≥ 300).
        case status(Int)
        /// No answer: the connection failed or was closed, or the request timed out.
        case transport(String)
        /// An answer came back but could not be read (bad XML, too large, missing fields).
        case malformedResponse(String)
        /// The request could not be sent at all (a bad endpoint, a client already shut down).
        case invalidRequest(String)
    }

    /// S3's name for the request, e.g. `PutObject`, `ListObjectsV2`.
    public var operation: String
    public var method: String
    public var bucket: String
    /// The object key, when the request was about one.
    public var key: String?
    public var reason: Reason
    /// S3's error `Code` (e.g. `SlowDown`, `SignatureDoesNotMatch`, `NoSuchBucket`).
    public var code: String?
    /// S3's error `Message`.
    public var message: String?
    public var requestID: String?
    /// Attempts made, the failed last one included.
    public var attempts: Int

    public init(
        operation: String, method: String, bucket: String, key: String?, reason: Reason, code: String? = nil,
        message: String? = nil, requestID: String? = nil, attempts: Int
    ) {
        self.operation = operation
        self.method = method
        self.bucket = bucket
        self.key = key
        self.reason = reason
        self.code = code
        self.message = message
        self.requestID = requestID
        self.attempts = attempts
    }

    /// The HTTP status S3 answered with, if it answered.
    public var status: Int? {
        if case .status(let status) = reason { return status }
        return nil
    }

    /// Whether the same request may succeed later: 5xx but 501, and failures without an answer.
    public var isRetryable: Bool {
        switch reason {
        case .status(let status): return status >= 500 && status != 501
        case .transport: return true
        case .malformedResponse, .invalidRequest: return false
        }
    }

    public var description: String {
        let target = key.map { "\(bucket)/\($0)" } ?? bucket
        let tries = attempts == 1 ? "1 attempt" : "\(attempts) attempts"
        var text = "S3 \(operation) (\(method) \(target)) failed after \(tries): "
        switch reason {
        case .status(let status):
            text += "HTTP \(status)"
            if let code { text += " \(code)" }
            if let message, !message.isEmpty { text += ": \(message)" }
            if let requestID { text += " (request id \(requestID))" }
        case .transport(let why):
            text += "no answer: \(why)"
        case .malformedResponse(let why):
            text += "unreadable answer: \(why)"
        case .invalidRequest(let why):
            text += "could not be sent: \(why)"
        }
        return text
    }
}

extension S3Error {
    /// The `Code`, `Message` and `RequestId` of S3's XML error body, when it has one
    /// (HEAD answers and some proxies have none; a body that is not XML is kept as the message).
    static func details(ofErrorBody body: [UInt8]) -> (code: String?, message: String?, requestID: String?) {
        guard !body.isEmpty else { return (nil, nil, nil) }
        guard let document = try? S3XML.parse(body), document.name == "Error" else {
            let snippet = String(decoding: body.prefix(200), as: UTF8.self)
            return (nil, snippet.isEmpty ? nil : "non-XML body: \(snippet)", nil)
        }
        return (document["Code"], document["Message"], document["RequestId"])
    }
}
