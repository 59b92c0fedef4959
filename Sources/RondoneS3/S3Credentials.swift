/// The secret an S3 request is signed with: an access key and its secret, plus the
/// session token of temporary credentials.
///
/// `description` never prints the secret or the token, so a configuration can be
/// logged as it is.
public struct S3Credentials: Sendable, Equatable, CustomStringConvertible {
    public var accessKeyID: String
    public var secretAccessKey: String
    /// Sent as `x-amz-security-token` (and signed) when set.
    public var sessionToken: String?

    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }

    /// The credentials in `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and
    /// `AWS_SESSION_TOKEN` (optional) of `environment` — a parameter, so that callers
    /// and tests decide where the environment comes from.
    public init(environment: [String: String]) throws(S3URLError) {
        let key = environment["AWS_ACCESS_KEY_ID"] ?? ""
        let secret = environment["AWS_SECRET_ACCESS_KEY"] ?? ""
        guard !key.isEmpty, !secret.isEmpty else {
            let missing = [
                key.isEmpty ? "AWS_ACCESS_KEY_ID" : nil, secret.isEmpty ? "AWS_SECRET_ACCESS_KEY" : nil,
            ]
            .compactMap { $0 }.joined(separator: " and ")
            throw S3URLError("S3 credentials are missing: set \(missing) in the environment")
        }
        let token = environment["AWS_SESSION_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        self.init(accessKeyID: key, secretAccessKey: secret, sessionToken: token)
    }

    public var description: String {
        "S3Credentials(accessKeyID: \(accessKeyID), secret: <redacted>\(sessionToken == nil ? "" : ", session token"))"
    }
}
