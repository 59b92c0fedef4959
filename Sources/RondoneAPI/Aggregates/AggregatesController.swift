import Hummingbird
import RondoneIndexer
import RondoneJSON
import RondoneQuery
import RondoneTimeSeries

/// `POST /v1/aggregates` with metric ids: the operations language over the named
/// metrics (Gnocchi 4.7's `AggregatesController.post` without `resource_type`), checked
/// in its order — `details`, query arguments, body, references, metrics (404), policy
/// (`get metric` on each), then the query itself.
///
/// With `resource_type` and `search` in the body, the resource mode answers instead
/// (``AggregatesResourceMode``).
struct AggregatesController {
    let context: ControllerContext

    func register(on routes: RouteTable) {
        let context = self.context
        routes.add(.post, "/v1/aggregates") { request, requestContext in
            try await Self.post(request, requestContext, context)
        }
    }

    static func post(
        _ request: Request, _ requestContext: RondoneRequestContext, _ context: ControllerContext
    ) async throws -> Response {
        let query = request.queryPairs
        // `use_history` only matters to the resource mode, but Gnocchi parses it first.
        let useHistory =
            try query.last { $0.name == "use_history" }.map { pair throws(APIError) in
                try QueryBoolean.parse("use_history", pair.value)
            } ?? false
        let details = try query.last { $0.name == "details" }.map { pair throws(APIError) in
            try QueryBoolean.parse("details", pair.value)
        }
        let arguments = try AggregatesArguments(query: query, now: .now(), defaultFill: "dropna")
        let document = try await request.jsonBody(limit: context.configuration.maxBodySize)
        let operation = try Self.operations(in: document)
        let references = operation.references
        guard !references.isEmpty else {
            throw AggregatesSupport.described(
                .badRequest,
                [
                    ("cause", .string("Operations is invalid")),
                    ("reason", .string("At least one 'metric' is required")),
                    ("detail", AggregatesSupport.json(operation)),
                ])
        }
        if case .object(let members) = document, members.contains(where: { $0.0 == "resource_type" }) {
            return try await AggregatesResourceMode.respond(
                members, operation: operation, arguments: arguments, details: details ?? false,
                useHistory: useHistory, request: request, requestContext: requestContext, context: context)
        }
        try AggregatesSupport.checkReferenceCount(references.count)
        let metrics = try await Self.metrics(references, in: context)
        // Gnocchi authenticates in its first `enforce`, after the lookups.
        let identity = try requestContext.identity()
        for metric in metrics.values.sorted(by: { $0.id < $1.id }) {
            try await MetricLookup.enforce("get metric", identity: identity, metric, in: context)
        }
        var resolved: [ResolvedReference] = []
        var policies: [String: ArchivePolicy] = [:]
        for key in references {
            // metrics(_:in:) refused every name that is not a UUID.
            let metric = metrics[MetricLookup.parseUUID(key.name)!.description]!
            if policies[metric.archivePolicyName] == nil {
                policies[metric.archivePolicyName] = try await MetricLookup.policy(of: metric, in: context)
            }
            resolved.append(
                ResolvedReference(key: key, metric: metric.id, policy: policies[metric.archivePolicyName]!))
        }
        let cross = CrossMetricQuery(
            references: resolved, operation: operation, start: arguments.start, stop: arguments.stop,
            granularities: arguments.granularity.map { [$0] }, neededOverlap: arguments.neededOverlap ?? 100,
            fill: arguments.fill)
        let result: QueryResult
        do {
            result = try await cross.run(reading: AggregatesSupport.reader(context))
        } catch let error as QueryError {
            throw AggregatesSupport.apiError(error, textForUnknownAggregation: false)
        }
        var out: [UInt8] = Array(#"{"measures": "#.utf8)
        AggregatesSupport.render(result, into: &out)
        if details == true {
            out += #", "references": "#.utf8
            var listed: [JSONValue] = []
            for metric in metrics.values.sorted(by: { $0.id < $1.id }) {
                var resource: Resource?
                if let id = metric.resourceID {
                    resource = try await context.indexer.resource(id, type: "generic")
                }
                listed.append(
                    MetricJSON.detailed(
                        metric, policy: try await MetricLookup.policy(of: metric, in: context),
                        resource: resource))
            }
            JSONValue.array(listed).write(into: &out)
        }
        out.append(UInt8(ascii: "}"))
        return JSONResponse.make(bytes: out)
    }

    /// The body's validated operations.
    static func operations(in document: JSONValue) throws(APIError) -> Operation {
        guard case .object(let members) = document else {
            throw APIError.invalidInput(reason: "expected a dictionary")
        }
        let allowed: Set<String> = ["operations", "resource_type", "search"]
        if let extra = members.first(where: { !allowed.contains($0.0) }) {
            throw APIError.invalidInput(
                reason: "extra keys not allowed @ data[\(PythonRepr.string(extra.0))]", path: [extra.0])
        }
        // A duplicated key keeps its last value, as in a Python dict.
        guard let source = members.last(where: { $0.0 == "operations" })?.1 else {
            throw APIError.invalidInput(
                reason: "required key not provided @ data['operations']", path: ["operations"])
        }
        var node = OperationNode(json: source)
        if case .string(let text) = source {
            do throws(OperationsText.SyntaxError) {
                node = try OperationsText.parse(text)
            } catch {
                throw AggregatesSupport.described(
                    .badRequest,
                    [
                        ("cause", .string("Invalid operations")),
                        ("reason", .string("Fail to parse the operations string")),
                        ("detail", .string(error.message)),
                    ])
            }
        }
        do throws(OperationsSchema.Invalid) {
            return try OperationsSchema.validate(node)
        } catch {
            if let index = error.index {
                throw AggregatesSupport.described(
                    .badRequest,
                    [
                        ("cause", .string("Invalid input")),
                        ("reason", .string("\(error.message) @ data['operations'][\(index)]")),
                        ("detail", .array([.string("operations"), .int(Int64(index))])),
                    ])
            }
            throw APIError.invalidInput(
                reason: "\(error.message) for dictionary value @ data['operations']", path: ["operations"])
        }
    }

    /// The metrics the references name, by id text: 400 for a reference that is not a
    /// UUID, 404 listing the ids no metric has.
    static func metrics(_ references: [ReferenceKey], in context: ControllerContext) async throws
        -> [String: Metric]
    {
        var ids: [MetricID] = []
        for key in references {
            guard let id = MetricLookup.parseUUID(key.name) else {
                throw AggregatesSupport.described(
                    .badRequest,
                    [
                        ("cause", .string("Invalid metric references")),
                        ("reason", .string("badly formed hexadecimal UUID string")),
                        (
                            "detail",
                            .array(
                                references.map { .array([.string($0.name), .string($0.aggregation)]) })
                        ),
                    ])
            }
            if !ids.contains(id) { ids.append(id) }
        }
        var metrics: [String: Metric] = [:]
        var missing: [MetricID] = []
        for id in ids {
            if let metric = try await context.indexer.metric(id) {
                metrics[id.description] = metric
            } else {
                missing.append(id)
            }
        }
        guard missing.isEmpty else {
            throw AggregatesSupport.described(
                .notFound,
                [
                    ("cause", .string("Unknown metrics")),
                    ("reason", .string("Provided metrics don't exists")),
                    ("detail", .array(missing.sorted().map { .string($0.description) })),
                ])
        }
        return metrics
    }
}
