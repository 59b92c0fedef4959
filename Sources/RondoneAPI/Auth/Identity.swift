/// Who is making a request, as Gnocchi's auth helpers describe the caller: the
/// `creator` string stored on what they create and the credentials policy rules test.
public struct Identity: Sendable, Equatable {
    /// The user id (basic / remoteuser: the user name; keystone: `X-User-Id`).
    public var userID: String?
    /// The project id (keystone: `X-Project-Id`; `nil` in basic and remoteuser modes).
    public var projectID: String?
    /// Roles, lower-cased comparison is done by the policy engine.
    public var roles: [String]
    /// What Gnocchi stores as `creator`: the user name, or `"<user>:<project>"` in keystone mode.
    public var creator: String
    /// The credentials generic policy checks read (`user:…`, `project_id:…`), as Python's
    /// `str()` of what Gnocchi's `get_auth_info` returns; a key absent here fails its check.
    public var credentials: [String: String]

    public init(
        userID: String?, projectID: String?, roles: [String], creator: String, credentials: [String: String]
    ) {
        self.userID = userID
        self.projectID = projectID
        self.roles = roles
        self.creator = creator
        self.credentials = credentials
    }

    /// Whether the identity holds Gnocchi's admin role.
    public var isAdmin: Bool { roles.contains { $0.lowercased() == "admin" } }

    /// `created_by_user_id` and `created_by_project_id` derived from a stored creator, as
    /// Gnocchi does (`creator.partition(":")`): `"admin"` gives `("admin", "")`.
    public static func createdBy(creator: String) -> (userID: String, projectID: String) {
        guard let colon = creator.firstIndex(of: ":") else { return (creator, "") }
        return (String(creator[..<colon]), String(creator[creator.index(after: colon)...]))
    }
}
