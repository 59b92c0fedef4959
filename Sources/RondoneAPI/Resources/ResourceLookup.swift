import Hummingbird
import RondoneIndexer
import RondoneTimeSeries

/// What the resource controllers share: Gnocchi's order of lookups for
/// `/v1/resource/{type}/{id}/…` (the type, 404; then the caller, 401; then the id, 404
/// when it cannot name a resource; then the resource itself, 404) and the mapping of
/// indexer refusals on resources to Gnocchi's status codes.
enum ResourceLookup {
    /// The path's resource type, or 404 `Resource type X does not exist`.
    static func type(_ requestContext: RondoneRequestContext, in context: ControllerContext) async throws
        -> String
    {
        try await resourceType(requestContext, in: context).name
    }

    /// The path's resource type with its schema, or 404.
    static func resourceType(_ requestContext: RondoneRequestContext, in context: ControllerContext)
        async throws
        -> ResourceType
    {
        let name = requestContext.pathParameter("type")
        guard let type = try await context.indexer.resourceType(named: name) else {
            throw APIError.notFound(IndexerError.noSuchResourceType(name).message)
        }
        return type
    }

    /// The UUID the path's id names for `identity` (404 `Resource X does not exist`
    /// when it cannot name one).
    static func id(_ requestContext: RondoneRequestContext, identity: Identity) throws(APIError) -> ResourceID
    {
        let text = requestContext.pathParameter("id")
        do throws(ResourceIdentifier.Failure) {
            return try ResourceIdentifier.uuid(text, creator: identity.creator)
        } catch {
            throw .notFound(IndexerError.noSuchResource(text).message)
        }
    }

    /// The current resource, or 404.
    static func resource(_ id: ResourceID, type: String, in context: ControllerContext) async throws
        -> Resource
    {
        guard let resource = try await context.indexer.resource(id, type: type) else {
            throw APIError.notFound(IndexerError.noSuchResource(id.description).message)
        }
        return resource
    }

    /// The type, the caller and the resource of a `/v1/resource/{type}/{id}` request,
    /// once the caller passed `rule` on the resource (403 otherwise).
    static func resolve(
        _ request: Request, _ requestContext: RondoneRequestContext, enforcing rule: String,
        in context: ControllerContext
    ) async throws -> (type: String, identity: Identity, resource: Resource) {
        let type = try await type(requestContext, in: context)
        let identity = try requestContext.identity()
        let id = try id(requestContext, identity: identity)
        let resource = try await resource(id, type: type, in: context)
        try context.policy.enforce(rule, identity: identity, target: ResourceJSON.target(resource))
        return (type, identity, resource)
    }

    /// Gnocchi's status for an indexer refusal while creating or changing a resource.
    static func apiError(_ error: IndexerError) -> APIError {
        switch error {
        case .resourceAlreadyExists, .resourceTypeAlreadyExists: APIError(.conflict, error.message)
        case .noSuchResource, .noSuchResourceType: .notFound(error.message)
        case .invalidInput(let reason, let detail): .invalidInput(reason: reason, path: detail)
        case .corruptIndex: APIError(.internalServerError, .text(""))
        default: .badRequest(error.message)
        }
    }

    /// Runs an indexer call, mapping its refusals with ``apiError(_:)``.
    static func mapping<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as IndexerError {
            throw apiError(error)
        }
    }
}
