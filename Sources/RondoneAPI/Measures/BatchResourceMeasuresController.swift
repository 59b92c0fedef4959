import Hummingbird
import RondoneIndexer
import RondoneJSON
import RondoneTimeSeries

/// `POST /v1/batch/resources/metrics/measures[?create_metrics=true]`: measures for
/// metrics named on resources, all or nothing. Every resource must exist (else 400
/// `Unknown resources` listing them) and every named metric too unless `create_metrics`
/// creates it (archive policy from the body's extended form, or by rule); the caller
/// must be allowed to post to each before anything is stored.
struct BatchResourceMeasuresController {
    let context: ControllerContext

    func register(on routes: RouteTable) {
        let context = self.context
        routes.add(.post, "/v1/batch/resources/metrics/measures") { request, requestContext in
            let identity = try requestContext.identity()
            let createMetrics =
                try request.queryPairs.last { $0.name == "create_metrics" }.map { pair throws(APIError) in
                    try QueryBoolean.parse("create_metrics", pair.value)
                } ?? false
            try request.requireJSONContentType()
            let body = try await request.collectBody(upTo: context.configuration.maxBodySize)
            let entries = try MeasuresParser.resourceBatch(body.readableBytesView, now: .now()) { key in
                do throws(ResourceIdentifier.Failure) {
                    _ = try ResourceIdentifier.uuid(key, creator: identity.creator)
                    return nil
                } catch {
                    return error.message
                }
            }
            try await Self.post(entries, identity: identity, createMetrics: createMetrics, in: context)
            return JSONResponse.empty(.accepted)
        }
    }

    static func post(
        _ entries: [BatchResourceMeasures], identity: Identity, createMetrics: Bool,
        in context: ControllerContext
    ) async throws {
        // As Python's dict: a repeated resource key (or metric name) keeps its last value.
        var byResource: [(original: String, id: ResourceID, metrics: [String: BatchMetricMeasures])] = []
        for entry in entries {
            let id = try ResourceIdentifier.uuid(entry.resourceID, creator: identity.creator)
            var metrics: [String: BatchMetricMeasures] = [:]
            for metric in entry.metrics { metrics[metric.name] = metric }
            if let index = byResource.firstIndex(where: { $0.id == id }) {
                byResource[index] = (entry.resourceID, id, metrics)
            } else {
                byResource.append((entry.resourceID, id, metrics))
            }
        }
        guard byResource.contains(where: { !$0.metrics.isEmpty }) else { return }

        var known: [(Metric, Measures)] = []
        var unknownMetrics: [String] = []
        var unknownResources: [JSONValue] = []
        for (original, id, metrics) in byResource {
            let existing = try await context.indexer.metrics(
                MetricQuery.attached(to: id))
            var byName: [String: Metric] = [:]
            for metric in existing {
                if let name = metric.name, metrics[name] != nil { byName[name] = metric }
            }
            for name in metrics.keys.sorted() where byName[name] == nil {
                guard createMetrics else {
                    unknownMetrics.append("\(id)/\(name)")
                    continue
                }
                guard
                    let created = try await create(
                        name, metrics[name]!, on: id, identity: identity, in: context)
                else {
                    unknownResources.append(
                        .object([
                            ("resource_id", .string(id.description)),
                            ("original_resource_id", .string(original)),
                        ]))
                    break
                }
                byName[name] = created
            }
            for (name, metric) in byName { known.append((metric, metrics[name]!.measures)) }
        }
        if !unknownResources.isEmpty {
            throw APIError(
                .badRequest,
                .json(
                    .object([("cause", .string("Unknown resources")), ("detail", .array(unknownResources))])))
        }
        if !unknownMetrics.isEmpty {
            throw APIError.badRequest("Unknown metrics: " + unknownMetrics.sorted().joined(separator: ", "))
        }
        for (metric, _) in known {
            try await MetricLookup.enforce("post measures", identity: identity, metric, in: context)
        }
        try await MeasuresController.store(known.map { ($0.0.id, $0.1) }, in: context)
    }

    /// Creates the named metric on the resource as `MetricSchema` + `create_metric` do;
    /// nil when the resource does not exist. A metric created meanwhile by another
    /// request is used as it is.
    private static func create(
        _ name: String, _ entry: BatchMetricMeasures, on resource: ResourceID, identity: Identity,
        in context: ControllerContext
    ) async throws -> Metric? {
        var fields: [(String, JSONValue)] = [("name", .string(name))]
        if let policy = entry.archivePolicyName { fields.append(("archive_policy_name", .string(policy))) }
        if let unit = entry.unit { fields.append(("unit", .string(unit))) }
        let schema = try MetricCreationSchema(.object(fields))
        let resolved = try await schema.resolve(in: context)
        do {
            return try await context.indexer.createMetric(
                MetricCreation(
                    id: MetricLookup.randomUUID(), creator: identity.creator,
                    archivePolicyName: resolved.archivePolicyName, name: name, unit: schema.unit,
                    resourceID: resource))
        } catch IndexerError.noSuchResource {
            return nil
        } catch IndexerError.namedMetricAlreadyExists {
            return try await context.indexer.metric(resource: resource, named: name)
        } catch let error as IndexerError {
            throw APIError.badRequest(error.message)
        }
    }
}
