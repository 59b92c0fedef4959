import HTTPTypes
import Hummingbird
import RondoneIndexer

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
            try JSONResponse.requireAcceptable(request)
            let type = try await ResourceLookup.type(requestContext, in: context)
            return try await Self.aggregate(
                request, type: type, metricName: requestContext.pathParameter("name"), in: context)
        }
        // Gnocchi serves POST only (its functional tests expect 405 for GET), and a
        // path without a metric name is 405 too.
        for method in [HTTPRequest.Method.get, .put, .patch, .delete] {
            routes.add(method, "/v1/aggregation/resource/{type}/metric/{name}") { _, _ in
                throw APIError.methodNotAllowed(allowed: [.post])
            }
        }
        for method in [HTTPRequest.Method.get, .post, .put, .patch, .delete] {
            routes.add(method, "/v1/aggregation/resource/{type}/metric") { _, _ in
                throw APIError.methodNotAllowed(allowed: [.post])
            }
        }
    }

    static func aggregate(_ request: Request, type: String, metricName: String, in context: ControllerContext)
        async throws -> Response
    {
        let groupby = Array(Set(request.queryPairs.filter { $0.name == "groupby" }.map(\.value))).sorted()
        let search = try await ResourceSearchRequest.filter(request, in: context)
        let policy = try ResourcePolicyFilter.filter(
            "search resource", type: type, request: request, in: context)
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
        guard !groupby.isEmpty else {
            return JSONResponse.make(
                bytes: try await AggregationController.measures(
                    of: try await metrics(named: metricName, of: resources, in: context), request, context))
        }
        // Consecutive resources with the same values form a group (they are sorted on
        // the group attributes), as Python's itertools.groupby.
        var out: [UInt8] = Array("[".utf8)
        var start = 0
        while start < resources.count {
            let key = groupKey(resources[start], groupby)
            var end = start + 1
            while end < resources.count, groupKey(resources[end], groupby) == key { end += 1 }
            if start > 0 { out += Array(", ".utf8) }
            out += Array("{\"group\": ".utf8)
            JSONValue.object(zip(groupby, key).map { ($0, $1) }).write(into: &out)
            out += Array(", \"measures\": ".utf8)
            out += try await AggregationController.measures(
                of: try await metrics(named: metricName, of: Array(resources[start..<end]), in: context),
                request,
                context)
            out += Array("}".utf8)
            start = end
        }
        out += Array("]".utf8)
        return JSONResponse.make(bytes: out)
    }

    /// The values of `attributes` on `resource`, as its JSON renders them.
    private static func groupKey(_ resource: Resource, _ attributes: [String]) -> [JSONValue] {
        guard case .object(let members) = ResourceJSON.render(resource) else { return [] }
        return attributes.map { name in members.first { $0.0 == name }?.1 ?? .null }
    }

    /// The active metric named `name` of each resource that has one, by id (one
    /// indexed query for all of them).
    private static func metrics(named name: String, of resources: [Resource], in context: ControllerContext)
        async throws -> [Metric]
    {
        let ids = resources.compactMap { $0.metrics[name] }
        return try await context.indexer.metrics(ids: ids).sorted { $0.id < $1.id }
    }
}
