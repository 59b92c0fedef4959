import HTTPTypes
import Hummingbird
import RondoneIndexer
import RondoneJSON
import RondoneTimeSeries

/// `POST /v1/aggregation/resource/{type}/metric/{name}`: the metric `name` of every
/// resource of `type` matching a search (a JSON body or `filter=`), aggregated as
/// `/v1/aggregation/metric` aggregates metrics by id — or, with `groupby` (repeated
/// attribute names), once per group of resources sharing those attributes' values:
/// `[{"group": {attribute: value, …}, "measures": […]}, …]` (Gnocchi 4.7's
/// `AggregationResourceController`; the `gnocchi measures aggregation --query` command).
///
/// Unlike Gnocchi, every matching resource is aggregated, not only the first page of a
/// search (`max_limit` resources).
struct AggregationResourceController {
    let context: ControllerContext

    func register(on routes: RouteTable) {
        let context = self.context
        routes.add(.post, "/v1/aggregation/resource/{type}/metric/{name}") { request, requestContext in
            let type = try await ResourceLookup.type(requestContext, in: context)
            return try await Self.aggregate(
                request, requestContext, type: type, metricName: requestContext.pathParameter("name"),
                in: context)
        }
        // Gnocchi serves POST only (its functional tests expect 405 for GET), and a
        // path without a metric name is 405 too.
        for method in [HTTPRequest.Method.get, .put, .patch, .delete] {
            routes.add(method, "/v1/aggregation/resource/{type}/metric/{name}", negotiation: .none) { _, _ in
                throw APIError.methodNotAllowed(allowed: [.post])
            }
        }
        for method in [HTTPRequest.Method.get, .post, .put, .patch, .delete] {
            routes.add(method, "/v1/aggregation/resource/{type}/metric", negotiation: .none) { _, _ in
                throw APIError.methodNotAllowed(allowed: [.post])
            }
        }
    }

    static func aggregate(
        _ request: Request, _ requestContext: RondoneRequestContext, type: String, metricName: String,
        in context: ControllerContext
    ) async throws -> Response {
        let groupby = AggregatesResourceMode.groupby(request)
        let search = try await ResourceSearchRequest.filter(request, requestContext, in: context)
        let policy = try ResourcePolicyFilter.filter(
            "search resource", type: type, requestContext: requestContext, in: context)
        let resources: [Resource]
        do {
            resources = try await context.indexer.resources(
                ResourceQuery(
                    type: type, filter: ResourceFilter.all(policy, try search?.compiled()),
                    sorts: groupby.map { ResourceSort(ResourceAttribute(rawValue: $0)) }))
        } catch IndexerError.invalidPagination {
            throw APIError.badRequest("Invalid groupby attribute")
        } catch let error as IndexerError {
            throw APIError.badRequest(error.message)
        }
        // The metric named `metricName` of every resource that has one, in one query.
        var byID: [MetricID: Metric] = [:]
        for metric in try await context.indexer.metrics(ids: resources.compactMap { $0.metrics[metricName] })
        {
            byID[metric.id] = metric
        }
        func metrics(of resources: [Resource]) -> [Metric] {
            resources.compactMap { $0.metrics[metricName].flatMap { byID[$0] } }.sorted { $0.id < $1.id }
        }
        guard !groupby.isEmpty else {
            return JSONResponse.make(
                bytes: try await AggregationController.measures(
                    of: metrics(of: resources), request, requestContext, context))
        }
        var out: [UInt8] = Array("[".utf8)
        for (index, (key, members)) in AggregatesResourceMode.grouped(resources, by: groupby).enumerated() {
            if index > 0 { out += Array(", ".utf8) }
            out += Array("{\"group\": ".utf8)
            JSONValue.object(key).write(into: &out)
            out += Array(", \"measures\": ".utf8)
            out += try await AggregationController.measures(
                of: metrics(of: members), request, requestContext, context)
            out += Array("}".utf8)
        }
        out += Array("]".utf8)
        return JSONResponse.make(bytes: out)
    }
}
