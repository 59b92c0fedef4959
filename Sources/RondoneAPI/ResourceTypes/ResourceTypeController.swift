import Hummingbird
import RondoneIndexer
import RondoneJSON

/// `/v1/resource_type` and `/v1/resource_type/{name}`: create, list, show, change (a
/// JSON-Patch of `add`/`remove` on `/attributes/…`) and delete resource types, with
/// Gnocchi 4.7's checks in its order and its default policy (any caller may read;
/// admins and services create and change; admins delete).
struct ResourceTypeController {
    let context: ControllerContext

    func register(on routes: RouteTable) {
        let context = self.context
        routes.add(.get, "/v1/resource_type") { request, requestContext in
            let identity = try requestContext.identity()
            try context.policy.enforce("list resource type", identity: identity)
            return JSONResponse.make(.array(try await context.indexer.resourceTypes().map(Self.render)))
        }
        routes.add(.post, "/v1/resource_type") { request, requestContext in
            try await Self.create(request, requestContext, context)
        }
        routes.add(.get, "/v1/resource_type/{name}") { request, requestContext in
            let type = try await Self.lookup(requestContext, context)
            let identity = try requestContext.identity()
            try context.policy.enforce("get resource type", identity: identity)
            return JSONResponse.make(Self.render(type))
        }
        routes.add(.patch, "/v1/resource_type/{name}") { request, requestContext in
            let type = try await Self.lookup(requestContext, context)
            let identity = try requestContext.identity()
            try context.policy.enforce("update resource type", identity: identity)
            let document = try await request.jsonBody(
                limit: context.configuration.maxBodySize, contentTypes: ["application/json-patch+json"])
            let change = try ResourceTypePatch.change(of: type, document: document)
            guard !change.isEmpty else { return JSONResponse.make(Self.render(type)) }
            let updated = try await ResourceLookup.mapping {
                try await context.indexer.updateResourceType(named: type.name, change)
            }
            return JSONResponse.make(Self.render(updated))
        }
        routes.add(.delete, "/v1/resource_type/{name}") { request, requestContext in
            let type = try await Self.lookup(requestContext, context)
            let identity = try requestContext.identity()
            try context.policy.enforce("delete resource type", identity: identity)
            if try DryRun.requested(request) { return try await DryRun.resourceType(type.name, in: context) }
            do {
                try await context.indexer.deleteResourceType(named: type.name)
            } catch let error as IndexerError {
                // Gnocchi answers a type in use, or one deleted meanwhile, with 400.
                throw APIError.badRequest(error.message)
            }
            return JSONResponse.empty(.noContent)
        }
    }

    /// The path's type, or 404 `Resource type X does not exist` (before any 401/403).
    static func lookup(_ requestContext: RondoneRequestContext, _ context: ControllerContext) async throws
        -> ResourceType
    {
        let name = requestContext.pathParameter("name")
        guard let type = try await context.indexer.resourceType(named: name) else {
            throw APIError.notFound(IndexerError.noSuchResourceType(name).message)
        }
        return type
    }

    /// `POST`: the body checked (400), then the policy (403), then the index (409).
    static func create(
        _ request: Request, _ requestContext: RondoneRequestContext, _ context: ControllerContext
    )
        async throws -> Response
    {
        let document = try await request.jsonBody(limit: context.configuration.maxBodySize)
        let schema: ResourceTypeSchema
        do throws(ArchivePolicySchemaFailure) {
            schema = try ResourceTypeSchema(document, forUpdate: false)
        } catch {
            throw error.apiError
        }
        let attributes = try schema.buildAll().map(\.attribute)
        let identity = try requestContext.identity()
        try context.policy.enforce("create resource type", identity: identity, target: ["name": schema.name])
        try IndexLimits.check(schema.name, max: ResourceType.maxNameLength, at: ["name"])
        guard !schema.name.isEmpty, !schema.name.contains("/") else {
            throw APIError.invalidInput(
                reason: "not a valid value for dictionary value @ data['name']", path: ["name"])
        }
        let type = try await ResourceLookup.mapping {
            try await context.indexer.createResourceType(
                ResourceType(name: schema.name, attributes: attributes))
        }
        var headers = HTTPFields()
        headers[.location] = MetricLookup.requestURL(request, context).absolute(
            "/v1/resource_type/\(type.name)")
        return JSONResponse.make(render(type), status: .created, headers: headers)
    }

    /// A type as Gnocchi's `jsonify` renders it.
    static func render(_ type: ResourceType) -> JSONValue {
        .object([
            ("name", .string(type.name)),
            ("attributes", .object(type.attributes.map { ($0.name, render($0)) })),
            ("state", .string(type.state)),
        ])
    }

    /// One attribute: `type`, `required`, then its kind's limits.
    static func render(_ attribute: ResourceTypeAttribute) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("type", .string(attribute.kind.typeName)), ("required", .bool(attribute.required)),
        ]
        switch attribute.kind {
        case .string(let minLength, let maxLength):
            members += [("max_length", .int(Int64(maxLength))), ("min_length", .int(Int64(minLength)))]
        case .number(let minimum, let maximum):
            members += [("min", bound(minimum)), ("max", bound(maximum))]
        case .uuid, .bool, .datetime: break
        }
        return .object(members)
    }

    /// A number bound: integral values as integers (as the client most likely sent
    /// them), null when there is none.
    private static func bound(_ value: Double?) -> JSONValue {
        guard let value else { return .null }
        if value == value.rounded(), abs(value) < 9.0e15 { return .int(Int64(value)) }
        return .double(value)
    }
}
