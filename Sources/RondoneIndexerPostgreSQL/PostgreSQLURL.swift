import PostgresNIO

/// Where a PostgreSQL database is and how to log in, parsed from the URL form every
/// scale-out option takes (`--indexer-url`, `--incoming-url`, `--coordination-url`):
/// `postgresql://USER[:PASSWORD]@HOST[:PORT]/DB[?PARAM=VALUE&…]` (`postgres://` too).
///
/// User, password and database are percent-decoded. The query takes libpq's names:
/// `sslmode` (`disable`, `allow`, `prefer` (default), `require`, `verify-ca`,
/// `verify-full`), `options` (server settings at connection start, e.g.
/// `-c search_path=rondone`), `application_name`, and `host` (a directory: the Unix
/// socket's). Anything else is refused rather than silently ignored, as libpq does.
/// ``description`` never shows the password.
public struct PostgreSQLURL: Hashable, Sendable, CustomStringConvertible {
    /// How the connection is encrypted (libpq's `sslmode`).
    public enum SSLMode: String, Hashable, Sendable, CaseIterable {
        case disable, allow, prefer, require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    public var user: String
    public var password: String?
    /// A host name or address, or (starting with `/`) the directory of the server's socket.
    public var host: String
    public var port: Int
    public var database: String
    public var sslMode: SSLMode
    /// Sent as the `options` startup parameter (`-c name=value …`).
    public var options: String?
    public var applicationName: String?

    public init(
        user: String, password: String? = nil, host: String = "127.0.0.1", port: Int = 5432,
        database: String, sslMode: SSLMode = .prefer, options: String? = nil, applicationName: String? = nil
    ) {
        self.user = user
        self.password = password
        self.host = host
        self.port = port
        self.database = database
        self.sslMode = sslMode
        self.options = options
        self.applicationName = applicationName
    }

    /// Parses `text`; throws ``PostgreSQLURLError`` saying what is wrong with it.
    public init(parsing text: String) throws(PostgreSQLURLError) {
        var rest = Substring(text)
        guard let scheme = rest.firstRange(of: "://"),
            ["postgresql", "postgres"].contains(rest[..<scheme.lowerBound].lowercased())
        else { throw .invalid("expected postgresql://USER[:PASSWORD]@HOST[:PORT]/DB") }
        rest = rest[scheme.upperBound...]
        var query: Substring = ""
        if let mark = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: mark)...]
            rest = rest[..<mark]
        }
        guard let slash = rest.firstIndex(of: "/") else { throw .invalid("no database name") }
        let database = try Self.decode(rest[rest.index(after: slash)...])
        guard !database.isEmpty else { throw .invalid("no database name") }
        var authority = rest[..<slash]
        var user = "", password: String? = nil
        if let at = authority.lastIndex(of: "@") {
            let login = authority[..<at]
            authority = authority[authority.index(after: at)...]
            if let colon = login.firstIndex(of: ":") {
                user = try Self.decode(login[..<colon])
                password = try Self.decode(login[login.index(after: colon)...])
            } else {
                user = try Self.decode(login)
            }
        }
        guard !user.isEmpty else { throw .invalid("no user name") }
        var (host, port) = try Self.hostAndPort(authority)
        self.init(user: user, password: password, host: host, port: port, database: database)
        for pair in query.split(separator: "&") where !pair.isEmpty {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let value = try Self.decode(parts.count > 1 ? parts[1] : "")
            switch try Self.decode(parts[0]) {
            case "sslmode":
                guard let mode = SSLMode(rawValue: value) else { throw .invalid("unknown sslmode \(value)") }
                sslMode = mode
            case "options": options = value
            case "application_name": applicationName = value
            case "host": host = value
            case "port":
                guard let number = Int(value), (1...65535).contains(number) else {
                    throw .invalid("bad port \(value)")
                }
                port = number
            case let name: throw .invalid("unknown parameter \(name)")
            }
        }
        guard !host.isEmpty else { throw .invalid("no host") }
        self.host = host
        self.port = port
    }

    public var description: String {
        let login = Self.encode(user) + (password == nil ? "" : ":***")
        let address = host.hasPrefix("/") ? "" : (host.contains(":") ? "[\(host)]" : host) + ":\(port)"
        var parameters = ["sslmode=\(sslMode.rawValue)"]
        if host.hasPrefix("/") { parameters.append("host=\(Self.encode(host))") }
        if let options { parameters.append("options=\(Self.encode(options))") }
        if let applicationName { parameters.append("application_name=\(Self.encode(applicationName))") }
        return "postgresql://\(login)@\(address)/\(Self.encode(database))?"
            + parameters.joined(separator: "&")
    }

    /// postgres-nio's client configuration for this URL. Like libpq, `prefer` and
    /// `require` encrypt without checking the server's certificate; `verify-ca` checks
    /// the chain, `verify-full` the host name too. `allow` connects in the clear.
    public var clientConfiguration: PostgresClient.Configuration {
        var tls: PostgresClient.Configuration.TLS
        var tlsConfiguration = TLSConfiguration.makeClientConfiguration()
        switch sslMode {
        case .disable, .allow: tls = .disable
        case .prefer, .require:
            tlsConfiguration.certificateVerification = .none
            tls = sslMode == .prefer ? .prefer(tlsConfiguration) : .require(tlsConfiguration)
        case .verifyCA:
            tlsConfiguration.certificateVerification = .noHostnameVerification
            tls = .require(tlsConfiguration)
        case .verifyFull: tls = .require(tlsConfiguration)
        }
        var configuration: PostgresClient.Configuration
        if host.hasPrefix("/") {
            configuration = .init(
                unixSocketPath: host + "/.s.PGSQL.\(port)", username: user, password: password,
                database: database)
        } else {
            configuration = .init(
                host: host, port: port, username: user, password: password, database: database, tls: tls)
        }
        if let options { configuration.options.additionalStartupParameters.append(("options", options)) }
        if let applicationName {
            configuration.options.additionalStartupParameters.append(("application_name", applicationName))
        }
        return configuration
    }

    private static func hostAndPort(_ authority: Substring) throws(PostgreSQLURLError) -> (String, Int) {
        var hostPart = authority
        var portPart: Substring? = nil
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw .invalid("unclosed [ in host") }
            hostPart = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") {
                portPart = after.dropFirst()
            } else if !after.isEmpty {
                throw .invalid("unexpected text after ]")
            }
        } else if let colon = authority.lastIndex(of: ":") {
            hostPart = authority[..<colon]
            portPart = authority[authority.index(after: colon)...]
        }
        var port = 5432
        if let portPart, !portPart.isEmpty {
            guard let number = Int(portPart), (1...65535).contains(number) else {
                throw .invalid("bad port \(portPart)")
            }
            port = number
        }
        return (try decode(hostPart), port)
    }

    /// Percent-decoding (UTF-8); a `%` not followed by two hex digits is refused.
    static func decode(_ text: Substring) throws(PostgreSQLURLError) -> String {
        guard text.contains("%") else { return String(text) }
        var bytes: [UInt8] = []
        var utf8 = text.utf8[...]
        while let byte = utf8.popFirst() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = utf8.popFirst().flatMap(hexValue), let low = utf8.popFirst().flatMap(hexValue)
            else {
                throw .invalid("bad percent escape in \(text)")
            }
            bytes.append(high << 4 | low)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// Percent-encoding of everything but RFC 3986's unreserved characters.
    static func encode(_ text: String) -> String {
        var result = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
                UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                result.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".unicodeScalars)
                result += "%" + String(hex[Int(byte >> 4)]) + String(hex[Int(byte & 15)])
            }
        }
        return result
    }
}

/// A PostgreSQL URL that cannot be used, with what is wrong (never the password).
public enum PostgreSQLURLError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalid(String)

    public var description: String {
        switch self {
        case .invalid(let reason): "invalid PostgreSQL URL: \(reason)"
        }
    }
}
