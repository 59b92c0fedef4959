extension S3Client {
    /// Whether the bucket exists and these credentials may use it (HEAD bucket): true on
    /// 200, false on 404; a 403 or any other failure is an `S3Error`.
    public func headBucket() async throws -> Bool {
        let response = try await send(
            S3Request(operation: "HeadBucket", method: .HEAD, key: nil), accepting: [404])
        return response.status != 404
    }

    /// Creates the bucket unless it is there already (ours: `BucketAlreadyOwnedByYou` is
    /// fine). Outside `us-east-1` the region goes in a `CreateBucketConfiguration`, as
    /// AWS requires.
    public func createBucketIfMissing() async throws {
        if try await headBucket() { return }
        var request = S3Request(operation: "CreateBucket", method: .PUT, key: nil)
        if url.region != "us-east-1" {
            request.body = Array(
                """
                <CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">\
                <LocationConstraint>\(S3XML.escape(url.region))</LocationConstraint>\
                </CreateBucketConfiguration>
                """.utf8)
            request.headers = [.init(name: "content-type", value: "application/xml")]
        }
        let response = try await send(request, accepting: [409])
        if response.status == 409 {
            let details = S3Error.details(ofErrorBody: response.body)
            guard details.code == "BucketAlreadyOwnedByYou" else {
                throw error(
                    request, .status(409), code: details.code, message: details.message,
                    requestID: details.requestID,
                    attempts: response.attempts)
            }
        }
    }
}
