import Hummingbird
import RondoneIndexer
import RondoneJSON
import RondoneTimeSeries

/// `/v1/resource/{type}/{id}/metric[/{name}[/measures]]`: a resource's metrics by name.
/// Listing and adding metrics check the resource (404, then `get resource` / `update
/// resource`); a named metric is looked up before the resource, as Gnocchi's
/// `NamedMetricController._lookup` (404 `Metric <name> does not exist` when the resource
/// exists, else 404 for the resource), and then served as `/v1/metric/{id}` serves it.
struct NamedMetricController {
    let context: ControllerContext

    func register(on routes: RouteTable) {
        let context = self.context
        routes.add(.get, "/v1/resource/{type}/{id}/metric") { request, requestContext in
            let (_, _, resource) = try await ResourceLookup.resolve(
                request, requestContext, enforcing: "get resource", in: context)
            let metrics = try await context.indexer.metrics(
                MetricQuery.attached(to: resource.id))
            return JSONResponse.make(.array(try await Self.listed(metrics, in: context)))
        }
        routes.add(.post, "/v1/resource/{type}/{id}/metric") { request, requestContext in
            let (type, _, resource) = try await ResourceLookup.resolve(
                request, requestContext, enforcing: "update resource", in: context)
            let document = try await request.jsonBody(limit: context.configuration.maxBodySize)
            let entries: [(name: String, entry: ResourceSchema.MetricEntry)]
            do throws(ArchivePolicySchemaFailure) {
                entries = try ResourceSchema.metrics(document, at: []).map { (name: $0.0, entry: $0.1) }
            } catch {
                throw error.apiError
            }
            var update = ResourceUpdate()
            update.metrics = try await ResourceSchema.resolveMetrics(entries, in: context)
            update.appendMetrics = true
            do {
                _ = try await context.indexer.updateResource(resource.id, type: type, update)
            } catch IndexerError.namedMetricAlreadyExists(let name) {
                throw APIError(.conflict, IndexerError.namedMetricAlreadyExists(name).message)
            } catch let error as IndexerError {
                throw ResourceLookup.apiError(error)
            }
            let metrics = try await context.indexer.metrics(
                MetricQuery.attached(to: resource.id))
            return JSONResponse.make(.array(try await Self.listed(metrics, in: context)))
        }
        routes.add(.get, "/v1/resource/{type}/{id}/metric/{name}") { request, requestContext in
            return try await MetricController.get(
                request, requestContext, try await Self.metric(request, requestContext, in: context),
                in: context)
        }
        routes.add(.delete, "/v1/resource/{type}/{id}/metric/{name}") { request, requestContext in
            return try await MetricController.delete(
                request, requestContext, try await Self.metric(request, requestContext, in: context),
                in: context)
        }
        routes.add(.get, "/v1/resource/{type}/{id}/metric/{name}/measures") { request, requestContext in
            return try await MeasuresController.get(
                request, requestContext, try await Self.metric(request, requestContext, in: context),
                in: context)
        }
        routes.add(.post, "/v1/resource/{type}/{id}/metric/{name}/measures") { request, requestContext in
            return try await MeasuresController.post(
                request, requestContext, try await Self.metric(request, requestContext, in: context),
                in: context)
        }
    }

    /// The metric the path names, found as Gnocchi's `_lookup` finds it.
    static func metric(
        _ request: Request, _ requestContext: RondoneRequestContext, in context: ControllerContext
    )
        async throws -> Metric
    {
        let type = try await ResourceLookup.type(requestContext, in: context)
        let identity = try requestContext.identity()
        let id = try ResourceLookup.id(requestContext, identity: identity)
        let name = requestContext.pathParameter("name")
        if let metric = try await context.indexer.metric(resource: id, named: name) { return metric }
        guard try await context.indexer.resource(id, type: type) != nil else {
            throw APIError.notFound(IndexerError.noSuchResource(id.description).message)
        }
        throw APIError.notFound(IndexerError.noSuchMetric(name).message)
    }

    /// Metrics as a metric list renders them, by name.
    static func listed(_ metrics: [Metric], in context: ControllerContext) async throws -> [JSONValue] {
        var items: [JSONValue] = []
        for metric in metrics.sorted(by: { ($0.name ?? "") < ($1.name ?? "") }) {
            items.append(
                MetricJSON.listed(
                    metric, policy: try await context.indexer.archivePolicy(named: metric.archivePolicyName)))
        }
        return items
    }
}
