import Foundation
import HummingbirdBcrypt
import Yams

/// A web configuration file in the format of Prometheus's exporter-toolkit
/// (`--web.config.file`), which `rondone serve --web-config FILE` and `rondone api`
/// read: TLS for the listener, bcrypt-hashed users for HTTP basic authentication, and
/// Rondone's own `admins:` list (who gets the admin role).
///
/// ```yaml
/// tls_server_config:
///   cert_file: server.crt          # relative to the file's directory
///   key_file: server.key
///   client_ca_file: ca.crt         # optional: client certificates
///   client_auth_type: RequireAndVerifyClientCert
/// http_server_config:
///   http2: true                    # the default, over TLS
/// basic_auth_users:
///   alice: $2y$10$…                # `rondone hash-password` prints one
/// admins: [alice]
/// ```
///
/// Every setting not listed here is refused (as the toolkit refuses unknown fields), so
/// a typo never silently turns a protection off.
public struct WebConfig: Sendable, Equatable {
    /// User name → bcrypt hash.
    public var basicAuthUsers: [String: String] = [:]
    /// Users with the admin role (each one of ``basicAuthUsers``).
    public var admins: Set<String> = []
    /// TLS for the listener, nil for plain HTTP.
    public var tls: TLSFiles?
    /// Offer HTTP/2 (ALPN `h2`) over TLS.
    public var http2 = true

    /// The TLS settings of `tls_server_config`, with paths made absolute.
    public struct TLSFiles: Sendable, Equatable {
        public var certFile: String
        public var keyFile: String
        public var clientCAFile: String?
        public var clientAuth: ClientAuth
        public var minimumVersion: String?
        public var maximumVersion: String?
    }

    /// `client_auth_type`, as Go's `tls.ClientAuthType` names its values.
    public enum ClientAuth: String, Sendable, CaseIterable {
        case noClientCert = "NoClientCert"
        case requestClientCert = "RequestClientCert"
        case requireAnyClientCert = "RequireAnyClientCert"
        case verifyClientCertIfGiven = "VerifyClientCertIfGiven"
        case requireAndVerifyClientCert = "RequireAndVerifyClientCert"
    }

    /// The TLS versions `min_version` and `max_version` take.
    public static let tlsVersions = ["TLS10", "TLS11", "TLS12", "TLS13"]

    public init(
        basicAuthUsers: [String: String] = [:], admins: Set<String> = [], tls: TLSFiles? = nil,
        http2: Bool = true
    ) {
        self.basicAuthUsers = basicAuthUsers
        self.admins = admins
        self.tls = tls
        self.http2 = http2
    }

    /// Reads and checks the file at `path`.
    ///
    /// - Throws: ``WebConfigError``, one sentence naming the file and the line.
    public static func load(path: String) throws(WebConfigError) -> WebConfig {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw WebConfigError(path: path, line: nil, "cannot be read (\(error.localizedDescription))")
        }
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        return try parse(text, path: path, directory: directory)
    }

    /// A bcrypt hash of `password` for `basic_auth_users` (`rondone hash-password`).
    public static func hashPassword(_ password: String, cost: UInt8 = 10) -> String {
        Bcrypt.hash(password, cost: cost)
    }

    /// Parses `text` (named `path` in errors; relative file names resolved in `directory`).
    public static func parse(_ text: String, path: String, directory: String) throws(WebConfigError)
        -> WebConfig
    {
        var reader = WebConfigReader(path: path, directory: directory)
        return try reader.read(text)
    }
}

/// Why a web configuration file was refused: the file, the line (when known) and the
/// reason, in one sentence.
public struct WebConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var line: Int?
    public var reason: String

    public init(path: String, line: Int?, _ reason: String) {
        self.path = path
        self.line = line
        self.reason = reason
    }

    public var description: String {
        "web config \(path)\(line.map { " line \($0)" } ?? ""): \(reason)"
    }
}
