import Crypto

/// AWS Signature Version 4 for S3, in the header form with a signed payload.
///
/// The canonical request is built from what is sent, never re-derived: the path is the
/// already-encoded path of the request line (S3 keys are encoded once, not twice as
/// other services do), the query is canonicalised from its decoded pairs, and the
/// signed headers are `host`, `x-amz-date`, `x-amz-content-sha256` (the SHA-256 of the
/// body, always sent), `x-amz-security-token` when there is one, and whatever else the
/// caller adds (`content-md5`, `content-type`, `range`, …).
struct SigV4Signer: Sendable {
    var credentials: S3Credentials
    var region: String
    var service = "s3"

    /// SHA-256 of no bytes, the payload hash of every request without a body.
    static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    static func payloadHash(_ body: [UInt8]) -> String {
        body.isEmpty ? emptyPayloadHash : S3Bytes.hex(SHA256.hash(data: body))
    }

    /// A header to send; `name` in any case.
    struct Header: Sendable, Equatable {
        var name: String
        var value: String
    }

    /// Adds `x-amz-date`, `x-amz-content-sha256`, `x-amz-security-token` (when set) and
    /// `Authorization` to `headers`, which must already hold `host`.
    func sign(
        method: String, encodedPath: String, query: [(name: String, value: String)], headers: inout [Header],
        payloadHash: String, time: SigningTime
    ) {
        headers.append(Header(name: "x-amz-date", value: time.amzDate))
        headers.append(Header(name: "x-amz-content-sha256", value: payloadHash))
        if let token = credentials.sessionToken {
            headers.append(Header(name: "x-amz-security-token", value: token))
        }
        let authorization = self.authorization(
            method: method, encodedPath: encodedPath, canonicalQuery: Self.canonicalQuery(query),
            headers: headers,
            payloadHash: payloadHash, time: time)
        headers.append(Header(name: "Authorization", value: authorization))
    }

    /// The `Authorization` header value for a request whose headers (all of them signed)
    /// already include `host`, `x-amz-date` and `x-amz-content-sha256`.
    func authorization(
        method: String, encodedPath: String, canonicalQuery: String, headers: [Header], payloadHash: String,
        time: SigningTime
    ) -> String {
        let (request, signedHeaders) = Self.canonicalRequest(
            method: method, encodedPath: encodedPath, canonicalQuery: canonicalQuery, headers: headers,
            payloadHash: payloadHash)
        let scope = "\(time.dateStamp)/\(region)/\(service)/aws4_request"
        let stringToSign = Self.stringToSign(canonicalRequest: request, amzDate: time.amzDate, scope: scope)
        let signature = S3Bytes.hex(
            HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: signingKey(time)))
        return
            "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)"
    }

    /// The canonical request (method, path, query, headers, signed header names, payload
    /// hash, one per line) and the signed header names.
    static func canonicalRequest(
        method: String, encodedPath: String, canonicalQuery: String, headers: [Header], payloadHash: String
    ) -> (request: String, signedHeaders: String) {
        let (canonicalHeaders, signedHeaders) = Self.canonicalHeaders(headers)
        let request = [method, encodedPath, canonicalQuery, canonicalHeaders, signedHeaders, payloadHash]
            .joined(separator: "\n")
        return (request, signedHeaders)
    }

    static func stringToSign(canonicalRequest: String, amzDate: String, scope: String) -> String {
        let digest = S3Bytes.hex(SHA256.hash(data: Array(canonicalRequest.utf8)))
        return "AWS4-HMAC-SHA256\n\(amzDate)\n\(scope)\n\(digest)"
    }

    /// kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request").
    func signingKey(_ time: SigningTime) -> SymmetricKey {
        var key = SymmetricKey(data: Array(("AWS4" + credentials.secretAccessKey).utf8))
        for part in [time.dateStamp, region, service, "aws4_request"] {
            key = SymmetricKey(data: HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key))
        }
        return key
    }

    /// Names and values encoded (`/` too), sorted by name then value, `name=value` joined
    /// by `&`; a parameter without a value (`?delete`) is `delete=`.
    static func canonicalQuery(_ query: [(name: String, value: String)]) -> String {
        query.map {
            (S3Percent.encode($0.name, keepSlash: false), S3Percent.encode($0.value, keepSlash: false))
        }
        .sorted {
            $0.0 == $1.0
                ? Array($0.1.utf8).lexicographicallyPrecedes($1.1.utf8)
                : Array($0.0.utf8).lexicographicallyPrecedes($1.0.utf8)
        }
        .map { "\($0.0)=\($0.1)" }
        .joined(separator: "&")
    }

    /// Lowercase names, values trimmed with inner runs of spaces collapsed, sorted by name,
    /// repeated names joined by commas; and the `;`-separated list of the names.
    static func canonicalHeaders(_ headers: [Header]) -> (canonical: String, signed: String) {
        var byName: [String: [String]] = [:]
        for header in headers {
            byName[header.name.lowercased(), default: []].append(trimmed(header.value))
        }
        let names = byName.keys.sorted { Array($0.utf8).lexicographicallyPrecedes($1.utf8) }
        let canonical = names.map { "\($0):\(byName[$0]!.joined(separator: ","))\n" }.joined()
        return (canonical, names.joined(separator: ";"))
    }

    private static func trimmed(_ value: String) -> String {
        var out: [UInt8] = []
        var pendingSpace = false
        for byte in value.utf8 {
            if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") {
                pendingSpace = !out.isEmpty
            } else {
                if pendingSpace { out.append(UInt8(ascii: " ")) }
                pendingSpace = false
                out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
