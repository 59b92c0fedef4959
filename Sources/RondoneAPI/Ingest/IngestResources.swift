import RondoneIndexer
import RondoneTimeSeries

/// Gnocchi's `get_or_create_resource_and_metrics`, shared by the ingest endpoints: the
/// resource named by a producer (created on first sight, of the producer's resource
/// type) and its metrics by name (those missing created by archive policy rule, or with
/// the producer's archive policy when it names one).
enum IngestResources {
    /// The named metrics of the resource `originalID` of type `type`, creating what is
    /// missing (a new resource with `attributes`, created by `identity`). A resource of
    /// that id but of another type is Gnocchi's 409 (`Resource already exists`, the id as
    /// detail); a race with another writer creating or deleting the same resource or
    /// metric is retried.
    static func metrics(
        _ names: [String], resource originalID: String, type: String,
        attributes: [String: AttributeValue] = [:], identity: Identity, in context: ControllerContext
    ) async throws -> [String: MetricID] {
        try await metrics(
            names, resource: originalID, type: type, attributes: attributes, identity: identity,
            creator: identity.creator, archivePolicyName: nil, in: context)
    }

    /// ``metrics(_:resource:type:attributes:identity:in:)`` for a producer that is no
    /// request (statsd): what it creates is stored with `creator` (`nil`: none, as
    /// Gnocchi's statsd without `creator`), and new metrics take `archivePolicyName`
    /// when it is given rather than the archive policy rule's.
    static func metrics(
        _ names: [String], resource originalID: String, type: String,
        attributes: [String: AttributeValue] = [:], identity: Identity, creator: String?,
        archivePolicyName: String?, in context: ControllerContext
    ) async throws -> [String: MetricID] {
        let id: ResourceID
        do throws(ResourceIdentifier.Failure) {
            id = try ResourceIdentifier.uuid(originalID, creator: identity.creator)
        } catch {
            throw APIError.badRequest(error.message)
        }
        var attempts = 0
        while true {
            attempts += 1
            do {
                return try await getOrCreate(
                    names, id: id, originalID: originalID, type: type, attributes: attributes,
                    identity: identity, creator: creator, archivePolicyName: archivePolicyName,
                    in: context)
            } catch let error as IndexerError where attempts < 10 && isRace(error) {
                continue  // Another writer changed it meanwhile: read it again.
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
        _ names: [String], id: ResourceID, originalID: String, type: String,
        attributes: [String: AttributeValue], identity: Identity, creator: String?,
        archivePolicyName: String?,
        in context: ControllerContext
    ) async throws -> [String: MetricID] {
        if let resource = try await ResourceLookup.mapping({
            try await context.indexer.resource(id, type: type)
        }) {
            try context.policy.enforce(
                "update resource", identity: identity, target: ResourceJSON.target(resource))
            let missing = names.filter { resource.metrics[$0] == nil }
            guard !missing.isEmpty else { return resource.metrics }
            var update = ResourceUpdate()
            update.metrics = try await specs(missing, archivePolicyName: archivePolicyName, in: context)
            update.appendMetrics = true
            return try await context.indexer.updateResource(id, type: type, update).metrics
        }
        try context.policy.enforce(
            "create resource", identity: identity,
            target: ["resource_type": type, "id": id.description, "original_resource_id": originalID])
        let creation = ResourceCreation(
            id: id, type: type, originalResourceID: originalID, creator: creator,
            metrics: try await specs(names, archivePolicyName: archivePolicyName, in: context),
            attributes: attributes)
        do {
            return try await context.indexer.createResource(creation).metrics
        } catch IndexerError.resourceAlreadyExists(let existing) {
            if let other = try await context.indexer.resource(id, type: ResourceType.generic),
                other.type != type
            {
                throw APIError(
                    .conflict,
                    .json(
                        .object([
                            ("cause", .string("Resource already exists")),
                            ("reason", .string(IndexerError.resourceAlreadyExists(existing).message)),
                            ("detail", .string(id.description)),
                        ])))
            }
            throw IndexerError.resourceAlreadyExists(existing)
        } catch let error as IndexerError {
            throw ResourceLookup.apiError(error)
        }
    }

    /// New metrics with `archivePolicyName`, or else the archive policy their rule gives
    /// (400 when none matches).
    private static func specs(_ names: [String], archivePolicyName: String?, in context: ControllerContext)
        async throws
        -> [(name: String, spec: ResourceMetricSpec)]
    {
        var specs: [(name: String, spec: ResourceMetricSpec)] = []
        for name in names {
            let schema = MetricCreationSchema(
                archivePolicyName: archivePolicyName, name: name, unit: nil, resourceID: nil)
            let resolved = try await schema.resolve(in: context)
            specs.append(
                (
                    name,
                    .new(
                        id: MetricLookup.randomUUID(), archivePolicyName: resolved.archivePolicyName,
                        unit: nil)
                ))
        }
        return specs
    }
}
