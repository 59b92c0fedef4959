import NIOHTTP1

extension S3Client {
    /// What `headObject` tells about an object.
    public struct ObjectInfo: Sendable, Equatable {
        public var size: Int64
        /// The entity tag, quotes included, as S3 sends it.
        public var eTag: String?
    }

    /// Stores `bytes` under `key`, replacing any object there (Rondone's aggregate store
    /// never needs to: its keys are unique). S3 checks the body against the signed
    /// `x-amz-content-sha256`, so a corrupted upload is refused, not stored.
    public func putObject(key: String, bytes: [UInt8]) async throws {
        var request = try objectRequest("PutObject", .PUT, key)
        // Without a content type some servers (moto's Flask) take the body for a form.
        request.headers.append(.init(name: "content-type", value: "application/octet-stream"))
        request.body = bytes
        _ = try await send(request)
    }

    /// The object's bytes, or nil when there is no object `key` (404 `NoSuchKey`).
    /// A missing bucket is an error, not nil.
    public func getObject(key: String) async throws -> [UInt8]? {
        let request = try objectRequest("GetObject", .GET, key)
        let response = try await send(request, accepting: [404])
        if response.status == 404 {
            try notFoundMeansNoKey(request, response)
            return nil
        }
        return response.body
    }

    /// The object's size and entity tag, or nil when there is no object `key`.
    public func headObject(key: String) async throws -> ObjectInfo? {
        let request = try objectRequest("HeadObject", .HEAD, key)
        let response = try await send(request, accepting: [404])
        if response.status == 404 { return nil }
        guard let length = response.headers.first(name: "content-length").flatMap({ Int64($0) }) else {
            throw error(
                request, .malformedResponse("no Content-Length in the answer"), attempts: response.attempts)
        }
        return ObjectInfo(size: length, eTag: response.headers.first(name: "etag"))
    }

    /// Deletes the object `key`; deleting one that is not there succeeds.
    public func deleteObject(key: String) async throws {
        let request = try objectRequest("DeleteObject", .DELETE, key)
        let response = try await send(request, accepting: [404])
        if response.status == 404 { try notFoundMeansNoKey(request, response) }
    }

    /// A request on object `key`, refused before sending when S3 would refuse the key.
    func objectRequest(_ operation: String, _ method: HTTPMethod, _ key: String) throws -> S3Request {
        let request = S3Request(operation: operation, method: method, key: key)
        if let problem = Self.keyProblem(key) {
            throw error(request, .invalidRequest("the key \(problem)"), attempts: 0)
        }
        return request
    }

    static func keyProblem(_ key: String) -> String? {
        if key.isEmpty { return "is empty" }
        if key.utf8.count > 1024 { return "is longer than 1024 bytes" }
        return nil
    }

    /// Throws unless a 404 says the key (not the bucket) is missing.
    func notFoundMeansNoKey(_ request: S3Request, _ response: S3Response) throws {
        let details = S3Error.details(ofErrorBody: response.body)
        if let code = details.code, code != "NoSuchKey" {
            throw error(
                request, .status(404), code: code, message: details.message, requestID: details.requestID,
                attempts: response.attempts)
        }
    }
}
