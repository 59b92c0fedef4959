import Foundation
import Testing

@testable import RondoneWebConfig

/// The web configuration file: what it accepts, and the one sentence (with the line)
/// that refuses anything else.
@Suite("Web configuration file")
struct WebConfigTests {
    /// A bcrypt hash of `secret` (cost 4, to keep the tests fast).
    static let secretHash = WebConfig.hashPassword("secret", cost: 4)

    static func parse(_ text: String, directory: String = "/nonexistent") throws(WebConfigError) -> WebConfig
    {
        try WebConfig.parse(text, path: "web.yml", directory: directory)
    }

    static func refusal(_ text: String, directory: String = "/nonexistent") -> WebConfigError? {
        do {
            _ = try parse(text, directory: directory)
            return nil
        } catch {
            return error
        }
    }

    @Test func usersAndAdmins() throws {
        let config = try Self.parse(
            """
            basic_auth_users:
              alice: \(Self.secretHash)
              bob: \(Self.secretHash)
            admins: [alice]
            """)
        #expect(config.basicAuthUsers.keys.sorted() == ["alice", "bob"])
        #expect(config.admins == ["alice"])
        #expect(config.tls == nil && config.http2)
    }

    @Test func anEmptyFileChecksNothing() throws {
        #expect(try Self.parse("") == WebConfig())
    }

    @Test func htpasswdHashesAreTakenAsTheirEquivalent() throws {
        let hash = "$2y$" + Self.secretHash.dropFirst(4)
        let config = try Self.parse("basic_auth_users:\n  alice: '\(hash)'\n")
        #expect(config.basicAuthUsers["alice"] == "$2b$" + hash.dropFirst(4))
    }

    @Test func refusalsNameTheLine() {
        #expect(
            Self.refusal("basic_auth_users:\n  alice: plain-text\n")?.description
                == "web config web.yml line 2: the password hash of alice is not a bcrypt hash ($2a$, $2b$ or $2y$)"
        )
        #expect(
            Self.refusal("basic_auth_user:\n  alice: x\n")?.description
                == "web config web.yml line 1: unknown setting basic_auth_user")
        #expect(
            Self.refusal("basic_auth_users:\n  alice: \(Self.secretHash)\nadmins:\n  - bob\n")?.description
                == "web config web.yml line 4: admin bob is not one of basic_auth_users")
        #expect(
            Self.refusal("tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n")?.description
                == "web config web.yml line 2: server.crt is not a readable file")
        #expect(
            Self.refusal("http_server_config:\n  headers: {}\n")?.description
                == "web config web.yml line 2: http_server_config.headers is not supported")
        #expect(
            Self.refusal("admins: alice\n")?.description
                == "web config web.yml line 1: admins must be a list of user names")
        let notYAML = Self.refusal("basic_auth_users: [\n")
        #expect(notYAML?.description.hasPrefix("web config web.yml") == true)
        #expect(notYAML?.reason.hasPrefix("is not YAML") == true)
    }

    @Test func tlsFilesAreRelativeToTheFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("webconfig-\(UUID())")
            .path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for name in ["server.crt", "server.key", "ca.crt"] {
            _ = FileManager.default.createFile(atPath: directory + "/" + name, contents: Data("x".utf8))
        }
        let config = try Self.parse(
            """
            tls_server_config:
              cert_file: server.crt
              key_file: server.key
              client_ca_file: ca.crt
              client_auth_type: RequireAndVerifyClientCert
              min_version: TLS13
            http_server_config:
              http2: false
            """, directory: directory)
        #expect(config.tls?.certFile == directory + "/server.crt")
        #expect(
            config.tls?.clientAuth == .requireAndVerifyClientCert && config.tls?.minimumVersion == "TLS13")
        #expect(!config.http2)
        #expect(
            Self.refusal(
                "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  client_auth_type: RequireAndVerifyClientCert\n",
                directory: directory)?.reason
                == "client_auth_type RequireAndVerifyClientCert needs client_ca_file")
        #expect(
            Self.refusal(
                "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  min_version: SSL3\n",
                directory: directory)?.reason == "min_version SSL3 is not one of TLS10, TLS11, TLS12, TLS13")
        #expect(
            Self.refusal(
                "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  client_auth_type: RequireAnyClientCert\n",
                directory: directory)?.reason.hasPrefix(
                    "client_auth_type RequireAnyClientCert is not supported") == true)
    }

    @Test func passwordsAreChecked() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("web-\(UUID()).yml").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "basic_auth_users:\n  alice: \(Self.secretHash)\n  bob: \(Self.secretHash)\nadmins: [alice]\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        let store = try WebConfigStore(path: path)
        #expect(await store.check(user: "alice", password: "secret") == .user(admin: true))
        #expect(await store.check(user: "alice", password: "secret") == .user(admin: true))  // remembered
        #expect(await store.check(user: "bob", password: "secret") == .user(admin: false))
        #expect(await store.check(user: "alice", password: "Secret") == .denied)
        #expect(await store.check(user: "mallory", password: "secret") == .denied)
        #expect(await store.check(user: "admin", password: "") == .denied)

        // A reload drops bob and what was remembered for alice's old password.
        let newHash = WebConfig.hashPassword("other", cost: 4)
        try "basic_auth_users:\n  alice: \(newHash)\n".write(toFile: path, atomically: true, encoding: .utf8)
        try store.reload()
        #expect(await store.check(user: "alice", password: "secret") == .denied)
        #expect(await store.check(user: "alice", password: "other") == .user(admin: false))
        #expect(await store.check(user: "bob", password: "secret") == .denied)

        // A file that does not load leaves the settings as they were.
        try "basic_auth_users:\n  alice: nope\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: WebConfigError.self) { try store.reload() }
        #expect(await store.check(user: "alice", password: "other") == .user(admin: false))
    }
}
