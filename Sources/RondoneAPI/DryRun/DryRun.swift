import Hummingbird
import RondoneIndexer
import RondoneJSON

/// `?dry_run=true` on the destructive calls (Rondone's addition, docs/OPERATIONS.md
/// "Dry runs in the API"): `DELETE /v1/resource/{type}` with a filter,
/// `DELETE /v1/resource_type/{name}` and `DELETE /v1/archive_policy/{name}` answer 200
/// with what they would delete, or the error the deletion would give, and change
/// nothing. The checks before it (existence, permissions, the filter) are the real
/// call's, in its order; the answer comes from the indexer's read queries, so it holds
/// for every indexer.
enum DryRun {
    /// At most this many resource ids are listed in a batch delete's dry run (all are counted).
    static let listedResources = 1000
    /// Resources read per query while counting.
    static let page = 500

    /// Whether the request asks for a dry run: its last `dry_run` parameter, parsed as
    /// the API's other flags (`true`, `1`, `yes`…; anything else is a 400); absent, false.
    static func requested(_ request: Request) throws(APIError) -> Bool {
        guard let value = request.queryPairs.last(where: { $0.name == "dry_run" })?.value else {
            return false
        }
        return try QueryBoolean.parse("dry_run", value)
    }

    /// The batch delete's answer: `{"dry_run": true, "deleted": N, "resources": [ids…]
    /// (at most ``listedResources``), "metrics": M}`, M the active metrics attached to
    /// them (the real call marks those deleted).
    static func resources(type: String, matching filter: ResourceFilter, in context: ControllerContext)
        async throws -> Response
    {
        var count = 0
        var metrics = 0
        var listed: [JSONValue] = []
        var marker: String?
        while true {
            let query = ResourceQuery(type: type, filter: filter, limit: page, marker: marker)
            let resources = try await ResourceLookup.mapping { try await context.indexer.resources(query) }
            for resource in resources {
                count += 1
                metrics += resource.metrics.count
                if listed.count < listedResources { listed.append(.string(resource.id.description)) }
            }
            guard resources.count == page, let last = resources.last else { break }
            marker = last.id.description
        }
        return JSONResponse.make(
            .object([
                ("dry_run", .bool(true)), ("deleted", .int(Int64(count))), ("resources", .array(listed)),
                ("metrics", .int(Int64(metrics))),
            ]))
    }

    /// A resource type's deletion: `{"dry_run": true, "deleted": 1, "resource_type": name}`,
    /// or the real call's 400 when the type has resources (or is `generic`).
    static func resourceType(_ name: String, in context: ControllerContext) async throws -> Response {
        var inUse = name == "generic"
        if !inUse {
            let query = ResourceQuery(type: name, limit: 1)
            inUse = try await !ResourceLookup.mapping { try await context.indexer.resources(query) }.isEmpty
        }
        guard !inUse else { throw APIError.badRequest(IndexerError.resourceTypeInUse(name).message) }
        return JSONResponse.make(
            .object([("dry_run", .bool(true)), ("deleted", .int(1)), ("resource_type", .string(name))]))
    }

    /// An archive policy's deletion: `{"dry_run": true, "deleted": 1, "archive_policy": name}`,
    /// or the real call's 404 (no such policy) or 400 (a metric, even one deleted but not
    /// yet purged, or a rule uses it).
    static func archivePolicy(_ name: String, in context: ControllerContext) async throws -> Response {
        let indexer = context.indexer
        guard try await indexer.archivePolicy(named: name) != nil else {
            throw ArchivePolicyController.apiError(.noSuchArchivePolicy(name))
        }
        let filters = [MetricFilter(.archivePolicyName, equals: name)]
        var used = try await indexer.archivePolicyRules().contains { $0.archivePolicyName == name }
        for status in MetricStatus.allCases where !used {
            used = try await !indexer.metrics(MetricQuery(status: status, filters: filters, limit: 1)).isEmpty
        }
        guard !used else { throw ArchivePolicyController.apiError(.archivePolicyInUse(name)) }
        return JSONResponse.make(
            .object([("dry_run", .bool(true)), ("deleted", .int(1)), ("archive_policy", .string(name))]))
    }
}
