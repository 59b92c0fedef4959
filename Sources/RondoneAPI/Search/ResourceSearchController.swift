import HTTPTypes
import Hummingbird
import RondoneIndexer

/// `POST /v1/search/resource/{type}` (resources matching a filter, with the options of
/// a resource list) and `DELETE /v1/resource/{type}` (Gnocchi's batch delete of the
/// resources matching a filter, answering `{"deleted": N}`).
///
/// The filter is a JSON body or the `filter=` string syntax (``ResourceSearchRequest``);
/// a non-admin keystone caller only sees, or deletes, what the `search resource` or
/// `delete resources` rule lets through (``ResourcePolicyFilter``).
struct ResourceSearchController {
    let context: ControllerContext

    /// Gnocchi's refusal of a batch delete without a filter (its message keeps the
    /// indentation of a continued Python string literal).
    static let emptyDeleteMessage =
        "caution: the query can not be empty, or it will                   delete entire database"

    func register(on routes: RouteTable) {
        let context = self.context
        routes.add(.post, "/v1/search/resource/{type}") { request, requestContext in
            let type = try await ResourceLookup.type(requestContext, in: context)
            let filter = try await ResourceSearchRequest.filter(request, requestContext, in: context)
            return try await ResourceListing.respond(
                request, requestContext, type: type, id: nil, search: filter, rule: "search resource",
                in: context)
        }
        // Gnocchi finds the type before the method: an unknown type is a 404 whatever the method.
        for method in [HTTPRequest.Method.get, .put, .patch, .delete] {
            routes.add(method, "/v1/search/resource/{type}", negotiation: .none) { _, requestContext in
                _ = try await ResourceLookup.type(requestContext, in: context)
                throw APIError.methodNotAllowed(allowed: [.post])
            }
        }
        routes.add(.delete, "/v1/resource/{type}") { request, requestContext in
            let type = try await ResourceLookup.type(requestContext, in: context)
            guard let filter = try await ResourceSearchRequest.filter(request, requestContext, in: context)
            else {
                throw APIError.badRequest(Self.emptyDeleteMessage)
            }
            let policy = try ResourcePolicyFilter.filter(
                "delete resources", type: type, requestContext: requestContext, in: context)
            let condition = try filter.compiled()
            let matching: ResourceFilter = policy.map { .and([$0, condition]) } ?? condition
            if try DryRun.requested(request) {
                return try await DryRun.resources(type: type, matching: matching, in: context)
            }
            let deleted = try await ResourceLookup.mapping {
                try await context.indexer.deleteResources(type: type, matching: matching)
            }
            return JSONResponse.make(.object([("deleted", .int(Int64(deleted)))]))
        }
    }
}
