public import HTTPTypes

/// The URL a client used to reach us, as webob computes `host_url` / `path_url` after
/// oslo's `http_proxy_to_wsgi`: `Forwarded` (first proxy's `proto` and `host`) or, without
/// it, `X-Forwarded-Proto` / `X-Forwarded-Host`; `X-Forwarded-Prefix` prepends to the
/// script name. Controllers build absolute `Location` and `Link` URLs from it.
public struct RequestURL: Sendable, Equatable {
    public var scheme: String
    /// Host and port as the client wrote them (default ports dropped, as webob does).
    public var host: String
    /// The mount prefix (`SCRIPT_NAME`), e.g. `/gnocchi` behind a proxy.
    public var scriptName: String
    /// The request path below the prefix, without the query.
    public var path: String

    public init(scheme: String, host: String, scriptName: String = "", path: String) {
        self.scheme = scheme
        self.host = host
        self.scriptName = scriptName
        self.path = path
    }

    /// Reads a request; `proxyHeaders` is `[api] enable_proxy_headers_parsing`.
    /// `fallbackHost` is used when the request names no host (HTTP/1.0).
    public init(request: HTTPRequest, proxyHeaders: Bool, fallbackHost: String) {
        var scheme = request.scheme ?? "http"
        var host = request.authority ?? fallbackHost
        var scriptName = ""
        if proxyHeaders {
            let fields = request.headerFields
            if let forwarded = fields[HTTPField.Name("Forwarded")!], !forwarded.isEmpty {
                let first = forwarded.split(separator: ",", omittingEmptySubsequences: false).first ?? ""
                for pair in first.split(separator: ";", omittingEmptySubsequences: false) {
                    let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                    let key = parts[0].trimmingSpaces.lowercased()
                    let value = parts.count > 1 ? String(parts[1].trimmingSpaces) : ""
                    if key == "proto" && !value.isEmpty { scheme = value }
                    if key == "host" && !value.isEmpty { host = value }
                }
            } else {
                if let proto = fields[HTTPField.Name("X-Forwarded-Proto")!], !proto.isEmpty { scheme = proto }
                if let forwardedHost = fields[HTTPField.Name("X-Forwarded-Host")!], !forwardedHost.isEmpty {
                    host = forwardedHost
                }
            }
            if let prefix = fields[HTTPField.Name("X-Forwarded-Prefix")!], !prefix.isEmpty {
                scriptName = prefix
            }
        }
        let fullPath = request.path ?? "/"
        let path = fullPath.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        self.init(
            scheme: scheme, host: Self.droppingDefaultPort(host, scheme: scheme), scriptName: scriptName,
            path: String(path))
    }

    /// `scheme://host[:port]`.
    public var hostURL: String { "\(scheme)://\(host)" }
    /// `hostURL` + the quoted script name (webob's `application_url`).
    public var applicationURL: String { hostURL + URLQuoting.quotePath(scriptName) }
    /// The request URL without its query (webob's `path_url`), used in `Link` headers.
    public var pathURL: String { applicationURL + path }

    /// An absolute URL for `path` under the application (`Location` of a created object).
    public func absolute(_ path: String) -> String { applicationURL + URLQuoting.quotePath(path) }

    static func droppingDefaultPort(_ host: String, scheme: String) -> String {
        guard let colon = host.lastIndex(of: ":"), !host.hasSuffix("]") else { return host }
        let port = host[host.index(after: colon)...]
        if (scheme == "http" && port == "80") || (scheme == "https" && port == "443") {
            return String(host[..<colon])
        }
        return host
    }
}

/// Percent-encoding as Python's `urllib.parse.quote` / `quote_plus`.
public enum URLQuoting {
    /// `quote(path, safe="/~!$&'()*+,;=:@")` (webob's path quoting).
    public static func quotePath(_ text: String) -> String {
        quote(text, safe: Set("/~!$&'()*+,;=:@".utf8), spaceAsPlus: false)
    }

    /// `quote_plus(text)` (`urlencode` of query values): space as `+`, `/` encoded.
    public static func quotePlus(_ text: String) -> String {
        quote(text, safe: [], spaceAsPlus: true)
    }

    static func quote(_ text: String, safe: Set<UInt8>, spaceAsPlus: Bool) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "."),
                UInt8(ascii: "-"),
                UInt8(ascii: "~"):
                out.append(byte)
            case UInt8(ascii: " ") where spaceAsPlus: out.append(UInt8(ascii: "+"))
            default:
                if safe.contains(byte) {
                    out.append(byte)
                } else {
                    out += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
                }
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
