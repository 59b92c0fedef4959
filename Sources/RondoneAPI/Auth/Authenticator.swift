public import HTTPTypes

/// Establishes a request's ``Identity`` in the configured ``AuthMode``. Controllers call
/// it at the point Gnocchi's controllers ask for the current user, so a missing
/// `Authorization` is a 401 only on the operations that need an identity (Gnocchi checks
/// per operation, not per request).
public struct Authenticator: Sendable {
    public var mode: AuthMode
    /// The header a trusted front end sets in `remoteuser` mode (WSGI's `REMOTE_USER`).
    public static let remoteUserHeader = HTTPField.Name("Remote-User")!

    public init(mode: AuthMode) {
        self.mode = mode
    }

    /// The caller, or 401 when the mode's credentials are absent or unreadable.
    public func identity(_ headers: HTTPFields) throws(APIError) -> Identity {
        switch mode {
        case .basic:
            guard let user = Self.basicUserName(headers[.authorization]) else { throw .unauthorized }
            return Self.userIdentity(user)
        case .remoteuser:
            guard let user = headers[Self.remoteUserHeader] else { throw .unauthorized }
            return Self.userIdentity(user)
        case .keystone:
            let user = headers[HTTPField.Name("X-User-Id")!]
            let project = headers[HTTPField.Name("X-Project-Id")!]
            // keystonemiddleware answers 401 before Gnocchi sees an unauthenticated request.
            guard user != nil || project != nil else { throw .unauthorized }
            let roles = (headers[HTTPField.Name("X-Roles")!] ?? "").split(
                separator: ",", omittingEmptySubsequences: false
            )
            .map { String($0) }
            let creator = (user ?? "") + ":" + (project ?? "")
            return Identity(
                userID: user, projectID: project, roles: roles, creator: creator,
                credentials: ["user": creator, "user_id": user ?? "None", "project_id": project ?? "None"])
        }
    }

    /// basic and remoteuser modes: a user name, admin role for `admin`, no project.
    static func userIdentity(_ user: String) -> Identity {
        Identity(
            userID: user, projectID: nil, roles: user == "admin" ? ["admin"] : [], creator: user,
            credentials: ["user": user])
    }

    /// The user name of an `Authorization: Basic <base64(user:password)>` header, read as
    /// werkzeug reads it (scheme case-insensitive, lenient base64, password ignored).
    public static func basicUserName(_ header: String?) -> String? {
        basicCredentials(header)?.user
    }

    /// The user name and password of an `Authorization: Basic` header (the password is
    /// empty when there is no `:`).
    public static func basicCredentials(_ header: String?) -> (user: String, password: String)? {
        guard let header else { return nil }
        let trimmed = Substring(header).trimmingSpaces
        guard let space = trimmed.firstIndex(where: { $0 == " " || $0 == "\t" }),
            trimmed[..<space].lowercased() == "basic"
        else { return nil }
        guard let decoded = Base64.decode(trimmed[space...].trimmingSpaces.utf8),
            let text = String(validating: decoded, as: UTF8.self)
        else { return nil }
        if let colon = text.firstIndex(of: ":") {
            return (String(text[..<colon]), String(text[text.index(after: colon)...]))
        }
        return (text, "")
    }
}

/// Base64 decoding as Python's `base64.b64decode` (non-strict): characters outside the
/// alphabet are skipped, padding must complete the last group.
enum Base64 {
    static func decode(_ text: some Sequence<UInt8>) -> [UInt8]? {
        var out: [UInt8] = []
        var accumulator: UInt32 = 0
        var count = 0
        var padding = 0
        for byte in text {
            let value: UInt32
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): value = UInt32(byte - UInt8(ascii: "A"))
            case UInt8(ascii: "a")...UInt8(ascii: "z"): value = UInt32(byte - UInt8(ascii: "a")) + 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = UInt32(byte - UInt8(ascii: "0")) + 52
            case UInt8(ascii: "+"): value = 62
            case UInt8(ascii: "/"): value = 63
            case UInt8(ascii: "="):
                padding += 1
                continue
            default: continue
            }
            if padding > 0 { return nil }
            accumulator = accumulator << 6 | value
            count += 1
            if count == 4 {
                out.append(UInt8(truncatingIfNeeded: accumulator >> 16))
                out.append(UInt8(truncatingIfNeeded: accumulator >> 8))
                out.append(UInt8(truncatingIfNeeded: accumulator))
                accumulator = 0
                count = 0
            }
        }
        switch count {
        case 0: return out
        case 2:
            guard padding >= 2 else { return nil }
            out.append(UInt8(truncatingIfNeeded: accumulator >> 4))
        case 3:
            guard padding >= 1 else { return nil }
            out.append(UInt8(truncatingIfNeeded: accumulator >> 10))
            out.append(UInt8(truncatingIfNeeded: accumulator >> 2))
        default: return nil
        }
        return out
    }
}
