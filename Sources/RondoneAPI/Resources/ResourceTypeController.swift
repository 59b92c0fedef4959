import Hummingbird
import RondoneIndexer

/// `GET /v1/resource_type` and `GET /v1/resource_type/{name}`: the resource types as
/// Gnocchi renders them (`{"name", "attributes", "state"}`). The `gnocchi` CLI reads a
/// type before creating or updating a resource of it. Creating, changing and deleting
/// types come with custom resource types.
struct ResourceTypeController {
    let context: ControllerContext

    func register(on routes: RouteTable) {
        let context = self.context
        routes.add(.get, "/v1/resource_type") { request, _ in
            try JSONResponse.requireAcceptable(request)
            let identity = try context.authenticator.identity(request.headers)
            try context.policy.enforce("list resource type", identity: identity)
            return JSONResponse.make(
                .array(try await context.indexer.resourceTypes().map { try Self.render($0) }))
        }
        routes.add(.get, "/v1/resource_type/{name}") { request, requestContext in
            try JSONResponse.requireAcceptable(request)
            let name = requestContext.pathParameter("name")
            let identity = try context.authenticator.identity(request.headers)
            try context.policy.enforce("get resource type", identity: identity)
            guard let type = try await context.indexer.resourceTypes().first(where: { $0.name == name })
            else {
                throw APIError.notFound(IndexerError.noSuchResourceType(name).message)
            }
            return JSONResponse.make(try Self.render(type))
        }
    }

    static func render(_ type: ResourceType) throws -> JSONValue {
        .object([
            ("name", .string(type.name)), ("attributes", .object([])), ("state", .string(type.state)),
        ])
    }
}
