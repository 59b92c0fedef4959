import HTTPTypes
import Hummingbird
import RondoneIndexer
import RondoneJSON
import RondoneTimeSeries

/// `/v1/metric` and `/v1/metric/{id}`: create (by archive policy name or by rule),
/// list (equality filters, sort, pagination with `Link`), get and delete, with
/// Gnocchi 4.7's checks in its order: lookup (404), then authentication (401), then
/// policy (403). Deleted metrics' data is removed later by metricd.
struct MetricController {
    let context: ControllerContext

    /// Query arguments Gnocchi's `MetricListSchema` accepts (others are ignored).
    static let listFilterNames = [
        "user_id", "project_id", "creator", "name", "id", "unit", "archive_policy_name", "status",
    ]

    func register(on routes: RouteTable) {
        let context = self.context
        routes.add(.post, "/v1/metric") { request, requestContext in
            try await Self.create(request, requestContext, context)
        }
        routes.add(.get, "/v1/metric") { request, requestContext in
            try await Self.list(request, requestContext, context)
        }
        routes.add(.get, "/v1/metric/{id}") { request, requestContext in
            let metric = try await MetricLookup.metric(requestContext.pathParameter("id"), in: context)
            return try await Self.get(request, requestContext, metric, in: context)
        }
        routes.add(.delete, "/v1/metric/{id}") { request, requestContext in
            let metric = try await MetricLookup.metric(requestContext.pathParameter("id"), in: context)
            return try await Self.delete(request, requestContext, metric, in: context)
        }
    }

    /// `GET` of one metric once it is found (by id, or by name on a resource).
    static func get(
        _ request: Request, _ requestContext: RondoneRequestContext, _ metric: Metric,
        in context: ControllerContext
    ) async throws -> Response {
        let identity = try requestContext.identity()
        var resource: Resource?
        if let id = metric.resourceID { resource = try await context.indexer.resource(id, type: "generic") }
        try await MetricLookup.enforce(
            "get metric", identity: identity, metric, resource: resource, in: context)
        let policy = try await MetricLookup.policy(of: metric, in: context)
        return JSONResponse.make(MetricJSON.detailed(metric, policy: policy, resource: resource))
    }

    /// `DELETE` of one metric once it is found.
    static func delete(
        _ request: Request, _ requestContext: RondoneRequestContext, _ metric: Metric,
        in context: ControllerContext
    ) async throws -> Response {
        let identity = try requestContext.identity()
        try await MetricLookup.enforce("delete metric", identity: identity, metric, in: context)
        do {
            try await context.indexer.deleteMetric(metric.id)
        } catch let error as IndexerError {
            throw MetricLookup.apiError(error)
        }
        return JSONResponse.empty(.noContent)
    }

    static func create(
        _ request: Request, _ requestContext: RondoneRequestContext, _ context: ControllerContext
    )
        async throws -> Response
    {
        let identity = try requestContext.identity()
        let document = try await request.jsonBody(limit: context.configuration.maxBodySize)
        let schema = try MetricCreationSchema(document)
        let resolved = try await schema.resolve(in: context, identity: identity)
        try context.policy.enforce(
            "create metric", identity: identity,
            target: [
                "creator": identity.creator, "archive_policy_name": schema.archivePolicyName,
                "resource_id": resolved.resource?.id.description, "original_resource_id": schema.resourceID,
                "name": schema.name, "unit": schema.unit,
            ])
        let metric: Metric
        do {
            metric = try await context.indexer.createMetric(
                MetricCreation(
                    id: MetricLookup.randomUUID(), creator: identity.creator,
                    archivePolicyName: resolved.archivePolicyName, name: schema.name, unit: schema.unit,
                    resourceID: resolved.resource?.id))
        } catch IndexerError.namedMetricAlreadyExists(let name) {
            // `abort(400, exception)`: the exception's own JSON as the description.
            throw APIError(
                .badRequest,
                .json(
                    .object([("cause", .string("Named metric already exists")), ("detail", .string(name))])))
        } catch let error as IndexerError {
            throw MetricLookup.apiError(error)
        }
        var headers = HTTPFields()
        headers[.location] = MetricLookup.requestURL(request, context).absolute("/v1/metric/\(metric.id)")
        return JSONResponse.make(MetricJSON.created(metric), status: .created, headers: headers)
    }

    /// Which metrics a caller's lists may show: `--strict-isolation`'s visibility, or in
    /// keystone mode the `list metric` rule's project filter (basic and remote-user modes
    /// put none, as Gnocchi).
    struct ListScope {
        var projectFilter: String?
        var visibleTo: MetricVisibility?

        var isFiltered: Bool { projectFilter != nil || visibleTo != nil }
    }

    static func listScope(_ requestContext: RondoneRequestContext, _ context: ControllerContext)
        throws(APIError)
        -> ListScope
    {
        var scope = ListScope()
        if context.configuration.strictIsolation {
            let identity = try requestContext.identity()
            if !identity.isAdmin {
                scope.visibleTo = MetricVisibility(creator: identity.creator, project: identity.projectID)
            }
        } else if context.configuration.authMode == .keystone {
            let identity = try requestContext.identity()
            if !context.policy.check("list metric", identity: identity, target: [:]) {
                scope.projectFilter = identity.projectID ?? "None"
            }
        }
        return scope
    }

    static func list(
        _ request: Request, _ requestContext: RondoneRequestContext, _ context: ControllerContext
    )
        async throws -> Response
    {
        let query = request.queryPairs
        var values: [String: String] = [:]
        for name in listFilterNames {
            let given = query.filter { $0.name == name }.map(\.value)
            guard given.count <= 1 else {
                throw APIError.badRequest(
                    "Invalid input: expected str for dictionary value @ data['\(name)']")
            }
            values[name] = given.first
        }
        if let status = values["status"], status != "active" && status != "delete" {
            throw APIError.badRequest(
                "Invalid input: not a valid value for dictionary value @ data['status']")
        }
        var filters: [MetricFilter] = []
        let userID = values.removeValue(forKey: "user_id")
        let projectID = values.removeValue(forKey: "project_id")
        if userID != nil || projectID != nil {
            filters.append(MetricFilter(.creator, equals: (userID ?? "") + ":" + (projectID ?? "")))
            values["creator"] = nil
        }
        for attribute in MetricFilter.Attribute.allCases {
            if let value = values[attribute.rawValue] {
                filters.append(MetricFilter(attribute, equals: value))
            }
        }
        let pagination = try PaginationOptions(
            query: query, defaultSorts: ["id:asc"], maxLimit: context.configuration.maxLimit)
        let scope = try listScope(requestContext, context)
        let metrics: [Metric]
        do {
            metrics = try await context.indexer.metrics(
                MetricQuery(
                    filters: filters, createdByProjectID: scope.projectFilter, visibleTo: scope.visibleTo,
                    sorts: try MetricSort.parseList(pagination.sorts), limit: pagination.limit,
                    marker: pagination.marker))
        } catch let error as IndexerError {
            throw MetricLookup.apiError(error)
        }
        var policies: [String: ArchivePolicy] = [:]
        var items: [JSONValue] = []
        items.reserveCapacity(metrics.count)
        for metric in metrics {
            if policies[metric.archivePolicyName] == nil {
                policies[metric.archivePolicyName] = try await context.indexer.archivePolicy(
                    named: metric.archivePolicyName)
            }
            items.append(MetricJSON.listed(metric, policy: policies[metric.archivePolicyName]))
        }
        var headers = HTTPFields()
        if let last = metrics.last, metrics.count >= pagination.limit {
            headers[HTTPField.Name("Link")!] = pagination.nextLink(
                pathURL: MetricLookup.requestURL(request, context).pathURL, echoing: query,
                nextMarker: last.id.description)
        }
        return JSONResponse.make(.array(items), headers: headers)
    }
}
