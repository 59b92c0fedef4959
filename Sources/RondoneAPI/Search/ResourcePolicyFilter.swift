import Hummingbird
import RondoneIndexer

/// Gnocchi's `get_resource_policy_filter`: the condition ANDed into a resource list,
/// search or batch delete for a caller who may not act on every resource of the type.
///
/// Only keystone mode has one (basic and remote-user modes return none without even
/// authenticating, as Gnocchi's helpers do). A caller passing `rule` on the bare type
/// gets none; otherwise each of the two narrower targets the rule lets through adds its
/// condition: the resources owned by the caller's project (`project_id`), and those
/// created by it (`created_by_project_id`, Gnocchi's `creator LIKE '%:<project>'`,
/// which the index answers from an indexed column); both together are
/// ``ResourceFilter/visibleTo(project:)``. Neither is 403 `Insufficient privileges`.
enum ResourcePolicyFilter {
    static func filter(
        _ rule: String, type: String, requestContext: RondoneRequestContext, in context: ControllerContext
    )
        throws(APIError) -> ResourceFilter?
    {
        if context.configuration.strictIsolation { return try strict(requestContext) }
        guard context.configuration.authMode == .keystone else { return nil }
        let identity = try requestContext.identity()
        if context.policy.check(rule, identity: identity, target: ["resource_type": type]) { return nil }
        let project = identity.projectID
        let owned = context.policy.check(
            rule, identity: identity, target: ["resource_type": type, "project_id": project])
        let created = context.policy.check(
            rule, identity: identity, target: ["resource_type": type, "created_by_project_id": project])
        let ownedFilter = ResourceFilter.compare(
            attribute: "project_id", .eq, project.map { .string($0) } ?? .null)
        let createdFilter =
            project.map { ResourceFilter.compare(attribute: "created_by_project_id", .eq, .string($0)) }
            ?? .compare(attribute: "creator", .eq, .null)
        switch (owned, created) {
        case (true, true):
            return project.map { .visibleTo(project: $0) } ?? .or([ownedFilter, createdFilter])
        case (true, false): return ownedFilter
        case (false, true): return createdFilter
        case (false, false): throw APIError(.forbidden, "Insufficient privileges")
        }
    }

    /// `--strict-isolation`, in every mode: an admin sees everything; anyone else the
    /// resources they created (`creator`) and those their project created or owns
    /// (`created_by_project_id`, `project_id`) — what Gnocchi's `get resource` rule lets
    /// them read one by one, so a list never shows what a read of it would refuse.
    static func strict(_ requestContext: RondoneRequestContext) throws(APIError) -> ResourceFilter? {
        let identity = try requestContext.identity()
        if identity.isAdmin { return nil }
        var visible: [ResourceFilter] = [.compare(attribute: "creator", .eq, .string(identity.creator))]
        if let project = identity.projectID { visible.append(.visibleTo(project: project)) }
        return .or(visible)
    }
}
