import RondoneIndexer
import RondoneJSON
import RondoneTimeSeries

/// The body of `POST /v1/metric`, checked as Gnocchi's `MetricSchema` checks it: a JSON
/// object whose only keys are `archive_policy_name`, `resource_id`, `name` and `unit`,
/// each a string (voluptuous' messages), then `unit` at most 31 characters.
struct MetricCreationSchema {
    var archivePolicyName: String?
    var name: String?
    var unit: String?
    var resourceID: String?

    static let keys = ["archive_policy_name", "resource_id", "name", "unit"]

    /// A definition whose fields were checked elsewhere (a resource body's `metrics`).
    init(archivePolicyName: String?, name: String?, unit: String?, resourceID: String?) {
        self.archivePolicyName = archivePolicyName
        self.name = name
        self.unit = unit
        self.resourceID = resourceID
    }

    init(_ document: JSONValue) throws(APIError) {
        guard case .object(let members) = document else {
            throw .invalidInput(reason: "expected a dictionary")
        }
        // voluptuous reports the first failing key in key order.
        for (key, value) in members.sorted(by: { $0.0 < $1.0 }) {
            guard Self.keys.contains(key) else {
                throw .invalidInput(
                    reason: "extra keys not allowed @ data[\(PythonRepr.string(key))]", path: [key])
            }
            guard case .string(let text) = value else {
                throw .invalidInput(
                    reason: "expected str for dictionary value @ data['\(key)']", path: [key])
            }
            switch key {
            case "archive_policy_name": archivePolicyName = text
            case "resource_id": resourceID = text
            case "name": name = text
            default: unit = text
            }
        }
        for (key, value) in [("archive_policy_name", archivePolicyName), ("name", name)] {
            if let value { try IndexLimits.check(value, max: IndexLimits.name, at: [key]) }
        }
        if let unit, unit.unicodeScalars.count > Metric.maxUnitLength {
            throw .invalidInput(
                reason: "length of value must be at most 31 for dictionary value @ data['unit']",
                path: ["unit"])
        }
    }

    /// What ``resolve(in:identity:)`` found: the archive policy (given or by rule) and,
    /// for a metric created on a resource, the resource.
    struct Resolved {
        var archivePolicyName: String
        var resource: Resource?
    }

    /// Gnocchi's checks after the schema, in its order: no `/` in the name, a matching
    /// rule when no policy is named, then a resource (`resource_id` needs a `name`; the
    /// resource must exist, 404, and the caller may update it, 403).
    func resolve(in context: ControllerContext, identity: Identity? = nil) async throws -> Resolved {
        if let name, name.contains("/") { throw APIError.badRequest(IndexerError.slashInMetricName.message) }
        var policyName = archivePolicyName
        if policyName == nil {
            guard let rule = try await context.indexer.archivePolicyRule(forMetricName: name) else {
                throw APIError.badRequest(IndexerError.noArchivePolicyRuleMatch(metricName: name).message)
            }
            policyName = rule.archivePolicyName
        }
        var resource: Resource?
        if let resourceID {
            guard name != nil else {
                throw APIError(
                    .badRequest,
                    .json(
                        .object([
                            ("cause", .string("Attribute value error")), ("detail", .string("name")),
                            ("reason", .string("Name cannot be null if resource_id is not null")),
                        ])))
            }
            let creator = identity?.creator
            let id: ResourceID
            do throws(ResourceIdentifier.Failure) {
                id = try ResourceIdentifier.uuid(resourceID, creator: creator)
            } catch {
                throw APIError.invalidInput(
                    reason: "\(error.message) for dictionary value @ data['resource_id']",
                    path: ["resource_id"])
            }
            guard let found = try await context.indexer.resource(id, type: "generic") else {
                throw APIError.notFound(IndexerError.noSuchResource(id.description).message)
            }
            if let identity {
                try context.policy.enforce(
                    "update resource", identity: identity, target: ResourceJSON.target(found))
            }
            resource = found
        }
        return Resolved(archivePolicyName: policyName!, resource: resource)
    }
}
