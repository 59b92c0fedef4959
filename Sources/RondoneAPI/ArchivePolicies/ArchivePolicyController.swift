import Hummingbird
import RondoneIndexer
import RondoneTimeSeries

/// `/v1/archive_policy`: create (admin), list, get, update definition/back window
/// (admin), delete (admin), in Gnocchi 4.7's order of checks: content negotiation,
/// then the policy's existence where Gnocchi looks it up first, then authentication and
/// policy, then the body, then the index.
struct ArchivePolicyController {
    let context: ControllerContext

    func register(on routes: RouteTable) {
        routes.add(.get, "/v1/archive_policy") { request, requestContext in
            try enforce("list archive policy", requestContext)
            let policies = try await context.indexer.archivePolicies()
            return JSONResponse.make(.array(policies.map(ArchivePolicyJSON.policy)))
        }
        routes.add(.post, "/v1/archive_policy") { request, requestContext in
            try await create(request, requestContext)
        }
        // Registered in this order so that a 405's `Allow` reads as Gnocchi's.
        routes.add(.delete, "/v1/archive_policy/{name}") { request, requestContext in
            let name = ArchivePolicyJSON.pathName(requestContext)
            try enforce("delete archive policy", requestContext)
            if try DryRun.requested(request) { return try await DryRun.archivePolicy(name, in: context) }
            do {
                try await context.indexer.deleteArchivePolicy(named: name)
            } catch let error as IndexerError {
                throw Self.apiError(error)
            }
            return JSONResponse.empty(.noContent)
        }
        routes.add(.get, "/v1/archive_policy/{name}") { request, requestContext in
            let policy = try await existing(ArchivePolicyJSON.pathName(requestContext))
            try enforce("get archive policy", requestContext)
            return JSONResponse.make(ArchivePolicyJSON.policy(policy))
        }
        routes.add(.patch, "/v1/archive_policy/{name}") { request, requestContext in
            try await update(request, requestContext, name: ArchivePolicyJSON.pathName(requestContext))
        }
    }

    private func create(_ request: Request, _ requestContext: RondoneRequestContext) async throws
        -> Response
    {
        try enforce("create archive policy", requestContext)
        let body = try await request.jsonBody(limit: context.configuration.maxBodySize)
        let policy = try ArchivePolicyCreationSchema(body).policy()
        do {
            try await context.indexer.createArchivePolicy(policy)
        } catch let error as IndexerError {
            throw Self.apiError(error)
        }
        var headers = HTTPFields()
        headers[.location] = ArchivePolicyJSON.location(
            request, configuration: context.configuration, collection: "archive_policy", name: policy.name)
        return JSONResponse.make(ArchivePolicyJSON.policy(policy), status: .created, headers: headers)
    }

    private func update(_ request: Request, _ requestContext: RondoneRequestContext, name: String)
        async throws -> Response
    {
        _ = try await existing(name)
        try enforce("update archive policy", requestContext)
        let body = try await request.jsonBody(limit: context.configuration.maxBodySize)
        let change = try ArchivePolicyUpdateSchema(body)
        do {
            let updated = try await context.indexer.updateArchivePolicy(
                named: name, definition: change.definition, backWindow: change.backWindow)
            return JSONResponse.make(ArchivePolicyJSON.policy(updated))
        } catch let error as IndexerError {
            throw Self.apiError(error)
        }
    }

    private func existing(_ name: String) async throws -> ArchivePolicy {
        guard let policy = try await context.indexer.archivePolicy(named: name) else {
            throw APIError.notFound(IndexerError.noSuchArchivePolicy(name).message)
        }
        return policy
    }

    /// Gnocchi's `enforce`: the caller (401 without one), then the rule (403). None of
    /// the archive policy rules reads its target.
    private func enforce(_ rule: String, _ requestContext: RondoneRequestContext) throws(APIError) {
        let identity = try requestContext.identity()
        try context.policy.enforce(rule, identity: identity)
    }

    /// The status Gnocchi's archive policy controllers give each index refusal.
    static func apiError(_ error: IndexerError) -> APIError {
        switch error {
        case .archivePolicyAlreadyExists: APIError(.conflict, error.message)
        case .noSuchArchivePolicy: .notFound(error.message)
        case .invalidArchivePolicy(let refusal): refusal.apiError
        case .corruptIndex: APIError(.internalServerError, error.message)
        default: .badRequest(error.message)
        }
    }
}
