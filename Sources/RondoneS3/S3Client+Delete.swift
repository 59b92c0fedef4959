import Crypto

extension S3Client {
    /// Deletes every key in `keys` (missing ones included, which succeed), 1000 per
    /// DeleteObjects request as S3 allows. Keys XML cannot carry (control characters) and
    /// servers without multi-delete (501 Not Implemented) fall back to one DELETE per key.
    /// Throws the first per-key failure S3 reports, saying how many keys failed.
    public func deleteObjects(keys: [String]) async throws {
        var batchable: [String] = []
        for key in keys {
            if S3XML.canRepresent(key) { batchable.append(key) } else { try await deleteObject(key: key) }
        }
        var start = 0
        while start < batchable.count {
            let batch = Array(batchable[start..<min(start + 1000, batchable.count)])
            start += batch.count
            do {
                try await deleteBatch(batch)
            } catch let failure as S3Error where failure.status == 501 {
                for key in batch { try await deleteObject(key: key) }
            }
        }
    }

    private func deleteBatch(_ keys: [String]) async throws {
        var request = S3Request(operation: "DeleteObjects", method: .POST, key: nil)
        for key in keys {
            if let problem = Self.keyProblem(key) {
                var failure = error(request, .invalidRequest("the key \(problem)"), attempts: 0)
                failure.key = key
                throw failure
            }
        }
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Delete><Quiet>true</Quiet>"
        for key in keys { xml += "<Object><Key>\(S3XML.escape(key))</Key></Object>" }
        xml += "</Delete>"
        request.body = Array(xml.utf8)
        request.query = [("delete", "")]
        // S3 insists on Content-MD5 (or a checksum header) for DeleteObjects.
        request.headers = [
            .init(name: "content-md5", value: S3Bytes.base64(Insecure.MD5.hash(data: request.body))),
            .init(name: "content-type", value: "application/xml"),
        ]
        let response = try await send(request)
        let document: S3XMLElement
        do {
            document = try S3XML.parse(response.body)
        } catch {
            throw self.error(request, .malformedResponse("\(error)"), attempts: response.attempts)
        }
        guard document.name == "DeleteResult" else {
            throw error(
                request, .malformedResponse("expected <DeleteResult>, got <\(document.name)>"),
                attempts: response.attempts)
        }
        let failures = document.children("Error").filter { $0["Code"] != "NoSuchKey" }
        if let first = failures.first {
            var failure = error(
                request, .status(response.status), code: first["Code"],
                message:
                    "\(failures.count) of \(keys.count) keys not deleted; first: \(first["Message"] ?? "")",
                attempts: response.attempts)
            failure.key = first["Key"]
            throw failure
        }
    }
}
