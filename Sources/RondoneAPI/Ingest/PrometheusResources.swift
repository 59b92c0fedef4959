import RondoneIndexer
import RondoneIngest
import RondoneTimeSeries

/// The `prometheus` resource type and its resources, created on first sight as Gnocchi's
/// `get_or_create_resource_and_metrics` creates them for remote write: the type (with
/// the policy `create resource type`) when it does not exist yet, then the resource
/// `job@instance` with its `job` and `instance` attributes (`create resource`) or, when
/// it exists, its missing metrics appended (`update resource`, no new revision). Races
/// with another writer creating the same type, resource or metric are retried.
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

    /// The resource's metric ids by name, every metric of `resource` included.
    static func metrics(
        of resource: PrometheusResourceMeasures, identity: Identity, in context: ControllerContext
    ) async throws -> [String: MetricID] {
        let id: ResourceID
        do throws(ResourceIdentifier.Failure) {
            id = try ResourceIdentifier.uuid(resource.originalResourceID, creator: identity.creator)
        } catch {
            throw APIError.badRequest(error.message)
        }
        let names = resource.metrics.map(\.name)
        var attempts = 0
        while true {
            attempts += 1
            do {
                let metrics = try await getOrCreate(resource, names, id: id, identity: identity, in: context)
                try await enforcePost(metrics, names, identity: identity, in: context)
                return metrics
            } catch let error as IndexerError {
                guard attempts < 10, isRace(error) else { throw ResourceLookup.apiError(error) }
            }
        }
    }

    /// Another writer created (or deleted) the resource or a metric in between.
    private static func isRace(_ error: IndexerError) -> Bool {
        switch error {
        case .resourceAlreadyExists, .namedMetricAlreadyExists, .noSuchResource: true
        default: false
        }
    }

    private static func getOrCreate(
        _ resource: PrometheusResourceMeasures, _ names: [String], id: ResourceID, identity: Identity,
        in context: ControllerContext
    ) async throws -> [String: MetricID] {
        if let existing = try await context.indexer.resource(id, type: typeName) {
            try context.policy.enforce(
                "update resource", identity: identity, target: ResourceJSON.target(existing))
            let missing = names.filter { existing.metrics[$0] == nil }
            guard !missing.isEmpty else { return existing.metrics }
            var update = ResourceUpdate()
            update.metrics = try await specs(missing, in: context)
            update.appendMetrics = true
            return try await context.indexer.updateResource(id, type: typeName, update).metrics
        }
        try context.policy.enforce(
            "create resource", identity: identity,
            target: [
                "resource_type": typeName, "id": id.description,
                "original_resource_id": resource.originalResourceID,
            ])
        let creation = ResourceCreation(
            id: id, type: typeName, originalResourceID: resource.originalResourceID,
            creator: identity.creator,
            metrics: try await specs(names, in: context),
            attributes: ["job": .string(resource.job), "instance": .string(resource.instance)])
        do {
            return try await context.indexer.createResource(creation).metrics
        } catch IndexerError.resourceAlreadyExists(let existing) {
            // The id is taken by a resource of another type: Gnocchi's 409.
            if let other = try await context.indexer.resource(id, type: ResourceType.generic),
                other.type != typeName
            {
                throw APIError(.conflict, IndexerError.resourceAlreadyExists(existing).message)
            }
            throw IndexerError.resourceAlreadyExists(existing)
        }
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

    /// New metrics with the archive policy their rule gives (400 when none matches).
    private static func specs(_ names: [String], in context: ControllerContext) async throws
        -> [(name: String, spec: ResourceMetricSpec)]
    {
        var specs: [(name: String, spec: ResourceMetricSpec)] = []
        for name in names {
            let schema = MetricCreationSchema(archivePolicyName: nil, name: name, unit: nil, resourceID: nil)
            let policy = try await schema.resolve(in: context).archivePolicyName
            specs.append((name, .new(id: MetricLookup.randomUUID(), archivePolicyName: policy, unit: nil)))
        }
        return specs
    }
}
