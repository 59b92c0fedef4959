/// Where an S3 bucket is and how to reach it, parsed from Rondone's storage URL:
///
///     s3://BUCKET?endpoint=http://HOST:PORT&region=REGION[&path_style=true|false]
///
/// Without `endpoint` the bucket is on AWS (`https://s3.REGION.amazonaws.com`) and is
/// addressed virtual-host style (`BUCKET.s3.REGION.amazonaws.com`), as AWS wants; with an
/// endpoint (MinIO, Ceph RGW, moto) path style (`HOST:PORT/BUCKET`) is the default,
/// because those servers rarely have a DNS name per bucket. `region` defaults to
/// `us-east-1`. Credentials come from the environment given to the parser, never from
/// the URL, so the URL can be logged and put in a configuration file.
public struct S3URL: Sendable, Equatable, CustomStringConvertible {
    /// The scheme, host and port requests go to (before any virtual-host bucket prefix).
    public struct Endpoint: Sendable, Equatable, CustomStringConvertible {
        /// `http` or `https`.
        public var scheme: String
        /// A DNS name or an IP address; an IPv6 address without its brackets.
        public var host: String
        public var port: Int

        public init(scheme: String, host: String, port: Int) {
            self.scheme = scheme
            self.host = host
            self.port = port
        }

        /// `HOST` or `HOST:PORT` when the port is not the scheme's default, as in a `Host` header.
        public var authority: String {
            let host = self.host.contains(":") ? "[\(self.host)]" : self.host
            let defaultPort = scheme == "https" ? 443 : 80
            return port == defaultPort ? host : "\(host):\(port)"
        }

        public var description: String { "\(scheme)://\(authority)" }
    }

    public var bucket: String
    public var endpoint: Endpoint
    public var region: String
    /// `true`: `HOST/BUCKET/KEY`; `false`: `BUCKET.HOST/KEY`.
    public var pathStyle: Bool
    public var credentials: S3Credentials

    public init(
        bucket: String, endpoint: Endpoint, region: String, pathStyle: Bool, credentials: S3Credentials
    ) {
        self.bucket = bucket
        self.endpoint = endpoint
        self.region = region
        self.pathStyle = pathStyle
        self.credentials = credentials
    }

    /// Parses `text`; credentials come from `environment` (`AWS_ACCESS_KEY_ID`,
    /// `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`). The error says what is wrong and
    /// shows the expected form.
    public init(parsing text: String, environment: [String: String]) throws(S3URLError) {
        let form = "expected s3://BUCKET?endpoint=http://HOST:PORT&region=REGION"
        guard text.hasPrefix("s3://") else {
            throw S3URLError("not an S3 URL: '\(text)' (\(form))")
        }
        let rest = text.dropFirst("s3://".count)
        let (location, query) = rest.splitOnce("?")
        let bucket = String(location.hasSuffix("/") ? location.dropLast() : location)
        if bucket.contains("/") {
            throw S3URLError(
                "S3 URL '\(text)' has a path after the bucket; key prefixes are not supported (\(form))")
        }
        if let problem = S3URL.bucketNameProblem(bucket) {
            throw S3URLError("S3 URL '\(text)': bucket name '\(bucket)' \(problem)")
        }
        var endpoint: Endpoint?
        var region = "us-east-1"
        var pathStyle: Bool?
        for pair in (query ?? "").split(separator: "&", omittingEmptySubsequences: true) {
            let (rawName, rawValue) = pair.splitOnce("=")
            guard let name = S3Percent.decode(rawName), let value = S3Percent.decode(rawValue ?? "") else {
                throw S3URLError("S3 URL '\(text)': bad percent-encoding in '\(pair)'")
            }
            switch name {
            case "endpoint":
                endpoint = try S3URL.parseEndpoint(value, in: text)
            case "region":
                guard !value.isEmpty,
                    value.utf8.allSatisfy({ $0.isLowercaseAlphanumeric || $0 == UInt8(ascii: "-") })
                else {
                    throw S3URLError(
                        "S3 URL '\(text)': region '\(value)' is not a region name (e.g. us-east-1)")
                }
                region = value
            case "path_style":
                switch value {
                case "true", "1": pathStyle = true
                case "false", "0": pathStyle = false
                default:
                    throw S3URLError("S3 URL '\(text)': path_style must be true or false, not '\(value)'")
                }
            default:
                throw S3URLError(
                    "S3 URL '\(text)': unknown parameter '\(name)' (known: endpoint, region, path_style)")
            }
        }
        let credentials = try S3Credentials(environment: environment)
        let resolved = endpoint ?? Endpoint(scheme: "https", host: "s3.\(region).amazonaws.com", port: 443)
        let style = pathStyle ?? (endpoint != nil)
        if !style && bucket.contains(".") && resolved.scheme == "https" {
            throw S3URLError(
                "S3 URL '\(text)': bucket '\(bucket)' has dots, which break TLS with virtual-host style; add path_style=true"
            )
        }
        self.init(
            bucket: bucket, endpoint: resolved, region: region, pathStyle: style, credentials: credentials)
    }

    public var description: String {
        "s3://\(bucket)?endpoint=\(endpoint)&region=\(region)&path_style=\(pathStyle)"
    }

    /// The authority requests are sent to and signed for: the endpoint's, with the bucket
    /// in front in virtual-host style.
    var hostHeader: String { pathStyle ? endpoint.authority : "\(bucket).\(endpoint.authority)" }

    /// The encoded path of `key` (nil: the bucket itself), as sent and as signed.
    func encodedPath(key: String?) -> String {
        let bucketPath = pathStyle ? "/\(bucket)" : ""
        guard let key else { return bucketPath.isEmpty ? "/" : bucketPath }
        return bucketPath + "/" + S3Percent.encode(key, keepSlash: true)
    }

    /// Why `name` is not a valid S3 bucket name (AWS's rules: 3–63 characters, lowercase
    /// letters, digits, dots and hyphens, a letter or digit at each end), or nil.
    static func bucketNameProblem(_ name: String) -> String? {
        let bytes = Array(name.utf8)
        if bytes.isEmpty { return "is empty" }
        if bytes.count < 3 || bytes.count > 63 { return "must be 3 to 63 characters long" }
        if !bytes.allSatisfy({
            $0.isLowercaseAlphanumeric || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-")
        }) {
            return "may hold only lowercase letters, digits, dots and hyphens"
        }
        if !bytes[0].isLowercaseAlphanumeric || !bytes[bytes.count - 1].isLowercaseAlphanumeric {
            return "must begin and end with a letter or a digit"
        }
        if name.contains("..") { return "must not hold two adjacent dots" }
        return nil
    }

    private static func parseEndpoint(_ value: String, in text: String) throws(S3URLError) -> Endpoint {
        let example = "e.g. endpoint=http://127.0.0.1:9000"
        let (scheme, rest) = value.splitOnce("://")
        guard let rest, scheme == "http" || scheme == "https" else {
            throw S3URLError(
                "S3 URL '\(text)': endpoint '\(value)' must start with http:// or https:// (\(example))")
        }
        var authority = rest
        if authority.hasSuffix("/") { authority = authority.dropLast() }
        if authority.contains("/") || authority.contains("?") || authority.contains("@") {
            throw S3URLError(
                "S3 URL '\(text)': endpoint '\(value)' must be only scheme://HOST[:PORT] (\(example))")
        }
        var host: Substring
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else {
                throw S3URLError("S3 URL '\(text)': endpoint '\(value)' has an unclosed IPv6 bracket")
            }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else {
                    throw S3URLError("S3 URL '\(text)': endpoint '\(value)' has text after the IPv6 address")
                }
                portText = after.dropFirst()
            }
        } else {
            (host, portText) = authority.splitOnce(":")
        }
        guard !host.isEmpty else {
            throw S3URLError("S3 URL '\(text)': endpoint '\(value)' has no host (\(example))")
        }
        var port = scheme == "https" ? 443 : 80
        if let portText {
            guard let number = Int(portText), (1...65535).contains(number) else {
                throw S3URLError("S3 URL '\(text)': endpoint '\(value)' has a bad port '\(portText)'")
            }
            port = number
        }
        return Endpoint(scheme: String(scheme), host: String(host), port: port)
    }
}

/// Why an S3 URL or its credentials were refused; `description` is a sentence for the operator.
public struct S3URLError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension StringProtocol {
    /// The text before and after the first `separator`, or all of it and nil.
    func splitOnce(_ separator: String) -> (SubSequence, SubSequence?) {
        guard let range = self.firstRange(of: separator) else { return (self[...], nil) }
        return (self[..<range.lowerBound], self[range.upperBound...])
    }
}

extension UInt8 {
    var isLowercaseAlphanumeric: Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(self)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self)
    }
}
