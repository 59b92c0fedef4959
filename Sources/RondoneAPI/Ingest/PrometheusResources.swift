import RondoneIndexer
import RondoneIngest
import RondoneTimeSeries

/// The `prometheus` resource type and its resources, created on first sight as Gnocchi's
/// `get_or_create_resource_and_metrics` creates them for remote write: the type (with
/// the policy `create resource type`) when it does not exist yet, then the resource
/// `job@instance` with its `job` and `instance` attributes and its metrics, as every
/// ingest path does (``IngestResources``).
enum PrometheusResources {
    static let typeName = "prometheus"

    /// Gnocchi's `PROMETHEUS_RESOURCE_TYPE`.
    static let type = ResourceType(
        name: typeName,
        attributes: [
            ResourceTypeAttribute(
                name: "instance", kind: .string(minLength: 1, maxLength: 512), required: true),
            ResourceTypeAttribute(name: "job", kind: .string(minLength: 1, maxLength: 512), required: true),
        ])

    static func ensureType(identity: Identity, in context: ControllerContext) async throws {
        guard try await context.indexer.resourceType(named: typeName) == nil else { return }
        try context.policy.enforce("create resource type", identity: identity, target: ["name": typeName])
        do {
            try await context.indexer.createResourceType(type)
        } catch IndexerError.resourceTypeAlreadyExists {
            // Created meanwhile by another request.
        } catch let error as IndexerError {
            throw ResourceLookup.apiError(error)
        }
    }

    /// The resource's metric ids by name, every metric of `resource` included (created
    /// as every ingest path creates them, with the `job` and `instance` attributes).
    static func metrics(
        of resource: PrometheusResourceMeasures, identity: Identity, in context: ControllerContext
    ) async throws -> [String: MetricID] {
        let names = resource.metrics.map(\.name)
        let metrics = try await IngestResources.metrics(
            names, resource: resource.originalResourceID, type: typeName,
            attributes: ["job": .string(resource.job), "instance": .string(resource.instance)],
            identity: identity,
            in: context)
        try await enforcePost(metrics, names, identity: identity, in: context)
        return metrics
    }

    /// `post measures` on every metric written to.
    private static func enforcePost(
        _ metrics: [String: MetricID], _ names: [String], identity: Identity, in context: ControllerContext
    ) async throws {
        let ids = names.compactMap { metrics[$0] }
        for metric in try await context.indexer.metrics(ids: ids) {
            try await MetricLookup.enforce("post measures", identity: identity, metric, in: context)
        }
    }
}
