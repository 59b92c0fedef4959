import Crypto
import Foundation
import HummingbirdBcrypt
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// The web configuration a running server uses, replaced whole by ``reload()`` (on
/// SIGHUP): users and admins for the next request, the certificate and key for the next
/// TLS handshake. A file that does not load leaves the current settings in place.
///
/// Passwords are checked with bcrypt off the cooperative pool; an unknown user costs the
/// same bcrypt check as a known one, and both fail with the same answer. A correct
/// user/password pair is remembered (by its SHA-256 only, never the password) until the
/// next reload, so a client sending the same credentials on every request pays bcrypt
/// once; failures are not remembered, so a wrong password always costs the full check.
public final class WebConfigStore: Sendable {
    /// Where the file is.
    public let path: String
    private let state: Mutex<Loaded>

    /// The outcome of a password check.
    public enum Check: Sendable, Equatable {
        case user(admin: Bool)
        case denied
    }

    struct Loaded: Sendable {
        var config: WebConfig
        var certificates: [NIOSSLCertificate]
        var privateKey: NIOSSLPrivateKey?
        /// SHA-256 of `user \0 password` for pairs that passed.
        var accepted: Set<Data>
    }

    /// The most accepted pairs remembered (any more and the memory is cleared).
    static let rememberedPairs = 4096
    /// A valid hash of nothing anyone sends, checked for unknown users.
    private static let decoy = "$2b$10$" + String(repeating: "A", count: 53)

    /// Loads `path`, with its certificate and key when it names them.
    ///
    /// - Throws: ``WebConfigError``.
    public init(path: String) throws(WebConfigError) {
        self.path = path
        state = Mutex(try Self.load(path))
    }

    /// The settings now in force.
    public var config: WebConfig { state.withLock { $0.config } }

    /// Reads the file again and uses it from now on; on an error the settings stay as
    /// they were and the error says why.
    public func reload() throws(WebConfigError) {
        let loaded = try Self.load(path)
        state.withLock { $0 = loaded }
    }

    /// Whether `password` is `user`'s, and whether the user is an admin.
    public func check(user: String, password: String) async -> Check {
        let key = Data(SHA256.hash(data: Data((user + "\u{0}" + password).utf8)))
        let (hash, admin, known) = state.withLock { loaded in
            (
                loaded.config.basicAuthUsers[user], loaded.config.admins.contains(user),
                loaded.accepted.contains(key)
            )
        }
        if known, hash != nil { return .user(admin: admin) }
        let verified: Bool
        do {
            verified = try await NIOThreadPool.singleton.runIfActive {
                Bcrypt.verify(password, hash: hash ?? Self.decoy) && hash != nil
            }
        } catch {
            return .denied
        }
        guard verified else { return .denied }
        state.withLock { loaded in
            // Only if the user still has that hash (a reload may have come in between).
            guard loaded.config.basicAuthUsers[user] == hash else { return }
            if loaded.accepted.count >= Self.rememberedPairs { loaded.accepted.removeAll() }
            loaded.accepted.insert(key)
        }
        return .user(admin: admin)
    }

    /// Whether the file has users, i.e. whether requests must authenticate.
    public var requiresPasswords: Bool { state.withLock { !$0.config.basicAuthUsers.isEmpty } }

    private static func load(_ path: String) throws(WebConfigError) -> Loaded {
        let config = try WebConfig.load(path: path)
        guard let tls = config.tls else { return Loaded(config: config, certificates: [], accepted: []) }
        let certificates: [NIOSSLCertificate]
        do {
            certificates = try NIOSSLCertificate.fromPEMFile(tls.certFile)
        } catch {
            throw WebConfigError(path: path, line: nil, "\(tls.certFile) holds no PEM certificate (\(error))")
        }
        guard !certificates.isEmpty else {
            throw WebConfigError(path: path, line: nil, "\(tls.certFile) holds no PEM certificate")
        }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(file: tls.keyFile, format: .pem)
        } catch {
            throw WebConfigError(path: path, line: nil, "\(tls.keyFile) holds no PEM private key (\(error))")
        }
        if let ca = tls.clientCAFile {
            do {
                _ = try NIOSSLCertificate.fromPEMFile(ca)
            } catch {
                throw WebConfigError(path: path, line: nil, "\(ca) holds no PEM certificate (\(error))")
            }
        }
        return Loaded(config: config, certificates: certificates, privateKey: key, accepted: [])
    }

    /// The TLS configuration of the listener, nil without `tls_server_config`. Each
    /// handshake takes the certificate and key loaded last, so a reload renews them for
    /// new connections; the client CA and the versions are the ones at start.
    public func serverTLSConfiguration() throws -> TLSConfiguration? {
        let (tls, certificates, key, http2) = state.withLock {
            ($0.config.tls, $0.certificates, $0.privateKey, $0.config.http2)
        }
        guard let tls, let key else { return nil }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: certificates.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = Self.version(tls.minimumVersion) ?? .tlsv12
        configuration.maximumTLSVersion = Self.version(tls.maximumVersion)
        if let ca = tls.clientCAFile {
            configuration.trustRoots = .file(ca)
        }
        switch tls.clientAuth {
        // NIOSSL cannot ask for a certificate without verifying it: RequestClientCert asks
        // for none (the request goes on either way), RequireAnyClientCert is refused at load.
        case .noClientCert, .requestClientCert, .requireAnyClientCert:
            configuration.certificateVerification = .none
        case .verifyClientCertIfGiven: configuration.certificateVerification = .optionalVerification
        case .requireAndVerifyClientCert: configuration.certificateVerification = .noHostnameVerification
        }
        configuration.applicationProtocols = http2 ? ["h2", "http/1.1"] : ["http/1.1"]
        configuration.sslContextCallback = { [weak self] _, promise in
            guard let self else { return promise.succeed(.noChanges) }
            let (certificates, key) = self.state.withLock { ($0.certificates, $0.privateKey) }
            var override = NIOSSLContextConfigurationOverride()
            override.certificateChain = certificates.map { .certificate($0) }
            override.privateKey = key.map { .privateKey($0) }
            promise.succeed(override)
        }
        return configuration
    }

    private static func version(_ name: String?) -> TLSVersion? {
        switch name {
        case "TLS10": .tlsv1
        case "TLS11": .tlsv11
        case "TLS12": .tlsv12
        case "TLS13": .tlsv13
        default: nil
        }
    }
}
