import RondoneIndexer
import RondoneJSON
import RondoneTimeSeries

/// Metrics as Gnocchi 4.7 renders them. Its `Metric.jsonify` changes with what was
/// loaded: a create answers `resource_id` and `archive_policy_name`, a list embeds
/// `archive_policy` but keeps `resource_id`, and a single GET embeds both (`resource`).
enum MetricJSON {
    /// `POST /v1/metric`'s 201 body.
    static func created(_ metric: Metric) -> JSONValue {
        .object(
            head(metric) + [
                ("resource_id", string(metric.resourceID?.description)),
                ("archive_policy_name", .string(metric.archivePolicyName)),
            ] + tail(metric))
    }

    /// One item of `GET /v1/metric`.
    static func listed(_ metric: Metric, policy: ArchivePolicy?) -> JSONValue {
        .object(
            head(metric) + [
                ("resource_id", string(metric.resourceID?.description)),
                ("archive_policy", policy.map(archivePolicy) ?? .null),
            ] + tail(metric))
    }

    /// `GET /v1/metric/<id>`: the resource embedded without its metrics (Gnocchi loads
    /// the metric's resource, not the resource's metrics).
    static func detailed(_ metric: Metric, policy: ArchivePolicy, resource: Resource?) -> JSONValue {
        var resourceJSON: JSONValue = .null
        if let resource, case .object(let members) = ResourceJSON.render(resource) {
            resourceJSON = .object(members.filter { $0.0 != "metrics" })
        }
        return .object(
            head(metric) + [("resource", resourceJSON), ("archive_policy", archivePolicy(policy))]
                + tail(metric))
    }

    /// An archive policy as Gnocchi embeds it in a metric (`aggregation_methods` is a
    /// set there; sorted here so the output is stable).
    static func archivePolicy(_ policy: ArchivePolicy) -> JSONValue {
        .object([
            ("name", .string(policy.name)),
            ("back_window", .int(Int64(policy.backWindow))),
            (
                "definition",
                .array(
                    policy.definition.map { item in
                        .object([
                            ("timespan", item.timespan.map { .string($0.formatted) } ?? .null),
                            ("granularity", .string(item.granularity.formatted)),
                            ("points", item.points.map { .int(Int64($0)) } ?? .null),
                        ])
                    })
            ),
            (
                "aggregation_methods",
                .array(policy.aggregationMethods.map(\.name).sorted().map { .string($0) })
            ),
        ])
    }

    private static func head(_ metric: Metric) -> [(String, JSONValue)] {
        [
            ("id", .string(metric.id.description)), ("creator", string(metric.creator)),
            ("name", string(metric.name)), ("unit", string(metric.unit)),
        ]
    }

    private static func tail(_ metric: Metric) -> [(String, JSONValue)] {
        [
            ("created_by_user_id", string(metric.createdByUserID)),
            ("created_by_project_id", string(metric.createdByProjectID)),
        ]
    }

    private static func string(_ value: String?) -> JSONValue {
        value.map { .string($0) } ?? .null
    }
}
