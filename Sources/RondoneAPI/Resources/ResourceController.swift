import HTTPTypes
import Hummingbird
import RondoneIndexer
import RondoneTimeSeries

/// `/v1/resource`, `/v1/resource/{type}` and `/v1/resource/{type}/{id}`: the list of
/// resource types, and create, list (with `history`, `attrs`, sort and pagination), get,
/// patch (a new revision when attributes change) and delete of resources, with Gnocchi
/// 4.7's checks in its order, `ETag`/`Last-Modified` and conditional requests.
struct ResourceController {
    let context: ControllerContext

    func register(on routes: RouteTable) {
        let context = self.context
        routes.add(.get, "/v1/resource") { request, _ in
            let base = MetricLookup.requestURL(request, context).applicationURL
            let types = try await context.indexer.resourceTypes()
            return JSONResponse.make(
                .object(types.map { ($0.name, .string(base + "/v1/resource/" + $0.name)) }))
        }
        routes.add(.post, "/v1/resource/{type}") { request, requestContext in
            try await Self.create(request, requestContext, context)
        }
        routes.add(.get, "/v1/resource/{type}") { request, requestContext in
            let type = try await ResourceLookup.type(requestContext, in: context)
            return try await ResourceListing.respond(
                request, requestContext, type: type, id: nil, in: context)
        }
        routes.add(.get, "/v1/resource/{type}/{id}") { request, requestContext in
            let (_, _, resource) = try await ResourceLookup.resolve(
                request, requestContext, enforcing: "get resource", in: context)
            if let notModified = try ResourcePreconditions.check(request, resource) { return notModified }
            return JSONResponse.make(
                ResourceJSON.render(resource), headers: ResourcePreconditions.headers(resource))
        }
        routes.add(.patch, "/v1/resource/{type}/{id}") { request, requestContext in
            try await Self.patch(request, requestContext, context)
        }
        routes.add(.delete, "/v1/resource/{type}/{id}") { request, requestContext in
            let (_, _, resource) = try await ResourceLookup.resolve(
                request, requestContext, enforcing: "delete resource", in: context)
            _ = try ResourcePreconditions.check(request, resource)
            try await ResourceLookup.mapping { try await context.indexer.deleteResource(resource.id) }
            return JSONResponse.empty(.noContent)
        }
        routes.add(.get, "/v1/resource/{type}/{id}/history") { request, requestContext in
            let (type, _, resource) = try await ResourceLookup.resolve(
                request, requestContext, enforcing: "get resource", in: context)
            return try await ResourceListing.respond(
                request, requestContext, type: type, id: resource.id, in: context)
        }
    }

    static func create(
        _ request: Request, _ requestContext: RondoneRequestContext, _ context: ControllerContext
    )
        async throws -> Response
    {
        let resourceType = try await ResourceLookup.resourceType(requestContext, in: context)
        let type = resourceType.name
        let identity = try requestContext.identity()
        let document = try await request.jsonBody(limit: context.configuration.maxBodySize)
        let (schema, metrics) = try await ResourceSchema.parse(
            document, type: resourceType, creating: true, now: .now(), in: context)
        guard let originalID = schema.id else {
            throw APIError.invalidInput(reason: "required key not provided")
        }
        let id: ResourceID
        do throws(ResourceIdentifier.Failure) {
            id = try ResourceIdentifier.uuid(originalID, creator: identity.creator)
        } catch {
            throw APIError.invalidInput(
                reason: "\(error.message) for dictionary value @ data['id']", path: ["id"])
        }
        try context.policy.enforce(
            "create resource", identity: identity,
            target: ["resource_type": type, "id": id.description, "original_resource_id": originalID])
        var creation = ResourceCreation(
            id: id, type: type, originalResourceID: originalID, creator: identity.creator,
            metrics: metrics ?? [], attributes: schema.update.attributes)
        if case .set(let value) = schema.update.userID { creation.userID = value }
        if case .set(let value) = schema.update.projectID { creation.projectID = value }
        if case .set(let value) = schema.update.startedAt { creation.startedAt = value }
        if case .set(let value) = schema.update.endedAt { creation.endedAt = value }
        let resource = try await ResourceLookup.mapping { try await context.indexer.createResource(creation) }
        var headers = ResourcePreconditions.headers(resource)
        headers[.location] = MetricLookup.requestURL(request, context).absolute(
            "/v1/resource/\(type)/\(resource.id)")
        return JSONResponse.make(ResourceJSON.render(resource), status: .created, headers: headers)
    }

    static func patch(
        _ request: Request, _ requestContext: RondoneRequestContext, _ context: ControllerContext
    )
        async throws -> Response
    {
        let (type, _, resource) = try await ResourceLookup.resolve(
            request, requestContext, enforcing: "update resource", in: context)
        _ = try ResourcePreconditions.check(request, resource)
        let document = try await request.jsonBody(limit: context.configuration.maxBodySize)
        guard let resourceType = try await context.indexer.resourceType(named: type) else {
            throw APIError.notFound(IndexerError.noSuchResourceType(type).message)
        }
        let (schema, metrics) = try await ResourceSchema.parse(
            document, type: resourceType, creating: false, now: .now(), in: context)
        // An empty body, or one that changes nothing, is an existence check (no revision).
        guard !schema.isEmpty, schema.update.changesAttributes(of: resource) || schema.metricEntries != nil
        else {
            return JSONResponse.make(
                ResourceJSON.render(resource), headers: ResourcePreconditions.headers(resource))
        }
        var update = schema.update
        update.metrics = metrics
        let updated = try await ResourceLookup.mapping {
            try await context.indexer.updateResource(resource.id, type: type, update)
        }
        return JSONResponse.make(
            ResourceJSON.render(updated), headers: ResourcePreconditions.headers(updated))
    }
}
