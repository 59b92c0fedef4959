import Foundation
import Yams

/// Turns the YAML of a web configuration file into a ``WebConfig``, refusing anything
/// it does not know with the line it is on.
struct WebConfigReader {
    let path: String
    let directory: String

    mutating func read(_ text: String) throws(WebConfigError) -> WebConfig {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw failure(nil, "is not YAML: \(Self.firstLine(of: error))")
        } catch {
            throw failure(nil, "is not YAML: \(error)")
        }
        var config = WebConfig()
        guard let root else { return config }  // an empty file: plain HTTP, no users
        var adminsNode: Node?
        for (key, value) in try mapping(root, "the file") {
            switch try name(key) {
            case "basic_auth_users":
                for (user, hash) in try mapping(value, "basic_auth_users") {
                    let userName = try name(user)
                    let hashText = try scalar(hash, "the password hash of \(userName)")
                    guard Self.isBcrypt(hashText) else {
                        throw failure(
                            hash, "the password hash of \(userName) is not a bcrypt hash ($2a$, $2b$ or $2y$)"
                        )
                    }
                    // `$2y$` (htpasswd's) is `$2b$` under another name; the checker knows `b`.
                    config.basicAuthUsers[userName] =
                        hashText.hasPrefix("$2y$") ? "$2b$" + hashText.dropFirst(4) : hashText
                }
            case "admins":
                adminsNode = value
            case "tls_server_config":
                config.tls = try tlsFiles(value)
            case "http_server_config":
                for (setting, value) in try mapping(value, "http_server_config") {
                    guard try name(setting) == "http2" else {
                        throw failure(setting, "http_server_config.\(try name(setting)) is not supported")
                    }
                    config.http2 = try boolean(value, "http2")
                }
            case let other:
                throw failure(key, "unknown setting \(other)")
            }
        }
        if let adminsNode {
            guard case .sequence(let names) = adminsNode else {
                throw failure(adminsNode, "admins must be a list of user names")
            }
            for node in names {
                let admin = try scalar(node, "an admin")
                guard config.basicAuthUsers[admin] != nil else {
                    throw failure(node, "admin \(admin) is not one of basic_auth_users")
                }
                config.admins.insert(admin)
            }
        }
        return config
    }

    private func tlsFiles(_ node: Node) throws(WebConfigError) -> WebConfig.TLSFiles {
        var values: [String: (String, Node)] = [:]
        for (key, value) in try mapping(node, "tls_server_config") {
            let setting = try name(key)
            switch setting {
            case "cert_file", "key_file", "client_ca_file", "client_auth_type", "min_version", "max_version":
                values[setting] = (try scalar(value, setting), value)
            default:
                throw failure(key, "tls_server_config.\(setting) is not supported")
            }
        }
        guard let cert = values["cert_file"] else { throw failure(node, "tls_server_config needs cert_file") }
        guard let key = values["key_file"] else { throw failure(node, "tls_server_config needs key_file") }
        var files = WebConfig.TLSFiles(
            certFile: try existingFile(cert), keyFile: try existingFile(key), clientCAFile: nil,
            clientAuth: .noClientCert)
        if let ca = values["client_ca_file"] { files.clientCAFile = try existingFile(ca) }
        if let (text, node) = values["client_auth_type"] {
            guard let type = WebConfig.ClientAuth(rawValue: text) else {
                let known = WebConfig.ClientAuth.allCases.map(\.rawValue).joined(separator: ", ")
                throw failure(node, "client_auth_type \(text) is not one of \(known)")
            }
            guard type != .requireAnyClientCert else {
                throw failure(
                    node,
                    "client_auth_type RequireAnyClientCert is not supported: use RequireAndVerifyClientCert "
                        + "with client_ca_file")
            }
            files.clientAuth = type
        }
        if files.clientAuth != .noClientCert && files.clientAuth != .requestClientCert
            && files.clientCAFile == nil
        {
            throw failure(node, "client_auth_type \(files.clientAuth.rawValue) needs client_ca_file")
        }
        for setting in ["min_version", "max_version"] {
            guard let (text, node) = values[setting] else { continue }
            guard WebConfig.tlsVersions.contains(text) else {
                throw failure(
                    node, "\(setting) \(text) is not one of \(WebConfig.tlsVersions.joined(separator: ", "))")
            }
            if setting == "min_version" { files.minimumVersion = text } else { files.maximumVersion = text }
        }
        return files
    }

    // MARK: Nodes

    private func mapping(_ node: Node, _ what: String) throws(WebConfigError) -> [(Node, Node)] {
        guard case .mapping(let mapping) = node else { throw failure(node, "\(what) must be a mapping") }
        return Array(mapping)
    }

    private func name(_ node: Node) throws(WebConfigError) -> String {
        try scalar(node, "a setting name")
    }

    private func scalar(_ node: Node, _ what: String) throws(WebConfigError) -> String {
        guard case .scalar(let scalar) = node else { throw failure(node, "\(what) must be a single value") }
        return scalar.string
    }

    private func boolean(_ node: Node, _ what: String) throws(WebConfigError) -> Bool {
        switch try scalar(node, what).lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        case let other: throw failure(node, "\(what) must be true or false, not \(other)")
        }
    }

    /// The absolute path of a file the configuration names, which must be readable now.
    private func existingFile(_ entry: (String, Node)) throws(WebConfigError) -> String {
        let (text, node) = entry
        let absolute = text.hasPrefix("/") ? text : directory + "/" + text
        guard FileManager.default.isReadableFile(atPath: absolute) else {
            throw failure(node, "\(text) is not a readable file")
        }
        return absolute
    }

    private func failure(_ node: Node?, _ reason: String) -> WebConfigError {
        WebConfigError(path: path, line: node?.mark?.line, reason)
    }

    /// `$2a$`, `$2b$` or `$2y$`, a two-digit cost, then 53 characters of bcrypt's base64.
    static func isBcrypt(_ hash: String) -> Bool {
        let bytes = Array(hash.utf8)
        guard bytes.count == 60, bytes[0] == UInt8(ascii: "$"), bytes[1] == UInt8(ascii: "2"),
            [UInt8(ascii: "a"), UInt8(ascii: "b"), UInt8(ascii: "y")].contains(bytes[2]),
            bytes[3] == UInt8(ascii: "$"), bytes[6] == UInt8(ascii: "$"),
            let cost = Int(String(decoding: bytes[4...5], as: UTF8.self)), (4...31).contains(cost)
        else { return false }
        let alphabet = Set("./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)
        return bytes[7...].allSatisfy(alphabet.contains)
    }

    private static func firstLine(of error: YamlError) -> String {
        String(describing: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
    }
}
