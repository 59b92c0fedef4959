import Hummingbird
import RondoneIndexer
import RondoneJSON

/// `/v1/archive_policy_rule`: create (admin), list (in matching order), get, rename
/// (admin), delete (admin). As in Gnocchi, a rule's own URL looks the rule up before
/// anything else (404 even before content negotiation or authentication), and a rename
/// checks its body before the caller.
struct ArchivePolicyRuleController {
    let context: ControllerContext

    func register(on routes: RouteTable) {
        routes.add(.get, "/v1/archive_policy_rule") { request, requestContext in
            try enforce("list archive policy rule", requestContext)
            let rules = try await context.indexer.archivePolicyRules()
            return JSONResponse.make(.array(rules.map(ArchivePolicyRuleJSON.rule)))
        }
        routes.add(.post, "/v1/archive_policy_rule") { request, requestContext in
            try await create(request, requestContext)
        }
        // Registered in this order so that a 405's `Allow` reads as Gnocchi's.
        let lookup: @Sendable (Request, RondoneRequestContext) async throws -> ArchivePolicyRule = {
            _, requestContext in try await existing(requestContext)
        }
        routes.add(.delete, "/v1/archive_policy_rule/{name}", lookup: lookup) { _, requestContext, rule in
            try enforce("delete archive policy rule", requestContext)
            do {
                try await context.indexer.deleteArchivePolicyRule(named: rule.name)
            } catch let error as IndexerError {
                throw Self.apiError(error)
            }
            return JSONResponse.empty(.noContent)
        }
        routes.add(.get, "/v1/archive_policy_rule/{name}", lookup: lookup) { _, requestContext, rule in
            try enforce("get archive policy rule", requestContext)
            return JSONResponse.make(ArchivePolicyRuleJSON.rule(rule))
        }
        routes.add(.patch, "/v1/archive_policy_rule/{name}", lookup: lookup) {
            request, requestContext, rule in
            let body = try await request.jsonBody(limit: context.configuration.maxBodySize)
            let newName = try Self.renameSchema(body)
            try enforce("update archive policy rule", requestContext)
            do {
                let renamed = try await context.indexer.renameArchivePolicyRule(named: rule.name, to: newName)
                return JSONResponse.make(ArchivePolicyRuleJSON.rule(renamed))
            } catch let error as IndexerError {
                throw Self.apiError(error)
            }
        }
        // Gnocchi finds the rule before it finds the method unsupported.
        for method in [HTTPRequest.Method.post, .put] {
            routes.add(method, "/v1/archive_policy_rule/{name}", negotiation: .none) { _, requestContext in
                _ = try await existing(requestContext)
                throw APIError.methodNotAllowed(allowed: [.delete, .get, .patch])
            }
        }
    }

    private func create(_ request: Request, _ requestContext: RondoneRequestContext) async throws
        -> Response
    {
        try enforce("create archive policy rule", requestContext)
        let body = try await request.jsonBody(limit: context.configuration.maxBodySize)
        let rule = try Self.creationSchema(body)
        do {
            try await context.indexer.createArchivePolicyRule(rule)
        } catch let error as IndexerError {
            throw Self.apiError(error)
        }
        var headers = HTTPFields()
        headers[.location] = ArchivePolicyJSON.location(
            request, configuration: context.configuration, collection: "archive_policy_rule", name: rule.name)
        return JSONResponse.make(ArchivePolicyRuleJSON.rule(rule), status: .created, headers: headers)
    }

    private func existing(_ requestContext: RondoneRequestContext) async throws -> ArchivePolicyRule {
        let name = ArchivePolicyJSON.pathName(requestContext)
        guard let rule = try await context.indexer.archivePolicyRule(named: name) else {
            throw APIError.notFound(IndexerError.noSuchArchivePolicyRule(name).message)
        }
        return rule
    }

    private func enforce(_ rule: String, _ requestContext: RondoneRequestContext) throws(APIError) {
        let identity = try requestContext.identity()
        try context.policy.enforce(rule, identity: identity)
    }

    /// Gnocchi's `ArchivePolicyRuleSchema`: `name`, `metric_pattern` and
    /// `archive_policy_name`, all required strings, nothing else.
    static func creationSchema(_ document: JSONValue) throws(APIError) -> ArchivePolicyRule {
        var fields: [String: String] = [:]
        do throws(ArchivePolicySchemaFailure) {
            let keys = ["name", "metric_pattern", "archive_policy_name"]
            try ArchivePolicySchemaCheck.mapping(document, at: [], keys: keys, required: keys) {
                (key, member, path) throws(ArchivePolicySchemaFailure) in
                fields[key] = try ArchivePolicySchemaCheck.string(
                    member, at: path, maxLength: IndexLimits.name)
            }
        } catch {
            throw error.apiError
        }
        return ArchivePolicyRule(
            name: fields["name"] ?? "", metricPattern: fields["metric_pattern"] ?? "",
            archivePolicyName: fields["archive_policy_name"] ?? "")
    }

    /// The rename body: `{"name": str}` and nothing else.
    static func renameSchema(_ document: JSONValue) throws(APIError) -> String {
        var name = ""
        do throws(ArchivePolicySchemaFailure) {
            try ArchivePolicySchemaCheck.mapping(document, at: [], keys: ["name"], required: ["name"]) {
                (_, member, path) throws(ArchivePolicySchemaFailure) in
                name = try ArchivePolicySchemaCheck.string(member, at: path, maxLength: IndexLimits.name)
            }
        } catch {
            throw error.apiError
        }
        return name
    }

    /// The status Gnocchi's rule controllers give each index refusal.
    static func apiError(_ error: IndexerError) -> APIError {
        switch error {
        case .archivePolicyRuleAlreadyExists: APIError(.conflict, error.message)
        case .noSuchArchivePolicyRule: .notFound(error.message)
        // `abort(400, e)` with the exception itself: its `jsonify()` becomes the description.
        case .noSuchArchivePolicy(let name):
            APIError(
                .badRequest,
                .json(
                    .object([("cause", .string("Archive policy does not exist")), ("detail", .string(name))]))
            )
        case .corruptIndex: APIError(.internalServerError, error.message)
        default: .badRequest(error.message)
        }
    }
}
