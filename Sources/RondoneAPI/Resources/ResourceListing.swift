import HTTPTypes
import Hummingbird
import RondoneIndexer
import RondoneTimeSeries

/// `GET /v1/resource/{type}`, `GET /v1/resource/{type}/{id}/history` and
/// `POST /v1/search/resource/{type}`: Gnocchi's `list_resources` with a filter,
/// `details`, `history`, `attrs`, `sort` (default `revision_start:asc, started_at:asc`),
/// `limit`, `marker` and the `Link` header (markers `<id>` or, with history,
/// `<id>@<revision>`), restricted by the policy filter of `rule`.
enum ResourceListing {
    static let defaultSorts = ["revision_start:asc", "started_at:asc"]

    /// Lists `type`'s resources matching `search`, or with `id` the history of that one
    /// resource.
    static func respond(
        _ request: Request, _ requestContext: RondoneRequestContext, type: String, id: ResourceID?,
        search: ResourceSearchFilter? = nil,
        rule: String = "list resource", in context: ControllerContext
    ) async throws -> Response {
        let query = request.queryPairs
        func last(_ name: String) -> String? { query.last { $0.name == name }?.value }
        let details =
            try last("details").map { text throws(APIError) in try QueryBoolean.parse("details", text) }
            ?? false
        let history =
            try id != nil
            || (last("history").map { text throws(APIError) in try QueryBoolean.parse("history", text) }
                ?? false)
        let pagination = try PaginationOptions(
            query: query, defaultSorts: defaultSorts, maxLimit: context.configuration.maxLimit)
        let attributes = id == nil ? query.filter { $0.name == "attrs" }.map(\.value) : []
        var filter: ResourceFilter? = id.map { .compare(attribute: "id", .eq, .uuid($0.description)) }
        if id == nil {
            let policy = try ResourcePolicyFilter.filter(
                rule, type: type, requestContext: requestContext, in: context)
            filter = ResourceFilter.all(policy, try search?.compiled())
        }
        let resources = try await ResourceLookup.mapping {
            try await context.indexer.resources(
                ResourceQuery(
                    type: type, history: history, filter: filter, details: details,
                    sorts: try ResourceSort.parseList(pagination.sorts, uniqueKeys: []),
                    limit: pagination.limit, marker: pagination.marker))
        }
        var headers = HTTPFields()
        if let last = resources.last, resources.count >= pagination.limit {
            let marker = history ? "\(last.id)@\(last.revision)" : last.id.description
            headers[HTTPField.Name("Link")!] = pagination.nextLink(
                pathURL: MetricLookup.requestURL(request, context).pathURL, echoing: query, nextMarker: marker
            )
        }
        return JSONResponse.make(
            .array(resources.map { ResourceJSON.render($0, attributes: attributes) }), headers: headers)
    }
}
