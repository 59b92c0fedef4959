import RondoneIndexer
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
        if let unit, unit.unicodeScalars.count > Metric.maxUnitLength {
            throw .invalidInput(
                reason: "length of value must be at most 31 for dictionary value @ data['unit']",
                path: ["unit"])
        }
    }

    /// Gnocchi's checks after the schema, up to the resource: no `/` in the name, a
    /// matching rule when no policy is named, and (resources are not indexed yet) a
    /// resource that cannot be found.
    func resolve(in context: ControllerContext) async throws -> String? {
        if let name, name.contains("/") { throw APIError.badRequest(IndexerError.slashInMetricName.message) }
        var policyName = archivePolicyName
        if policyName == nil {
            guard let rule = try await context.indexer.archivePolicyRule(forMetricName: name) else {
                throw APIError.badRequest(IndexerError.noArchivePolicyRuleMatch(metricName: name).message)
            }
            policyName = rule.archivePolicyName
        }
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
            let shown = MetricLookup.parseUUID(resourceID)?.description ?? resourceID
            throw APIError.notFound("Resource \(shown) does not exist")
        }
        return policyName
    }
}
